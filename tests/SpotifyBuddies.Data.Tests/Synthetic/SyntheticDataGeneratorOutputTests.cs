using System.Text.Json;
using System.Text.RegularExpressions;
using SpotifyBuddies.Core.Interactions;

namespace SpotifyBuddies.Data.Tests.Synthetic;

/// <summary>What the <c>tiny</c> dataset holds, read back from the files themselves.</summary>
public sealed partial class SyntheticDataGeneratorOutputTests(TinySyntheticDataset dataset) : IClassFixture<TinySyntheticDataset>
{
    private readonly ParsedSyntheticDataset _data = dataset.Data;

    [Fact]
    public void Generate_WhenUsersShareALatentGenre_TheirLibrariesOverlapFarMoreThanAcrossGenres()
    {
        var users = _data.TruthUserOrder.ToArray();
        var (withinJaccard, acrossJaccard, withinShared, acrossShared) = PairStatistics(
            users.Length, i => _data.Libraries[users[i]], i => _data.UserGenres[users[i]]);

        Assert.True(withinJaccard >= 5 * acrossJaccard, $"mean Jaccard within {withinJaccard:F4} vs across {acrossJaccard:F4}");
        Assert.True(withinShared >= 5 * acrossShared, $"mean shared songs within {withinShared:F2} vs across {acrossShared:F2}");
        Assert.True(acrossShared > 0, "genres must not be disjoint islands: some songs are shared across clusters");
    }

    [Fact]
    public void Generate_WhenPlaylistsShareALatentGenre_TheyOverlapFarMoreThanAcrossGenres()
    {
        var pids = _data.Playlists.Select(p => p.Pid).ToArray();
        var (withinJaccard, acrossJaccard, _, _) = PairStatistics(
            pids.Length, i => _data.PlaylistSongs[pids[i]], i => _data.PlaylistGenres[pids[i]]);

        Assert.True(withinJaccard >= 5 * acrossJaccard, $"mean Jaccard within {withinJaccard:F4} vs across {acrossJaccard:F4}");
    }

    [Fact]
    public void Generate_WhenAUserMeetsPlaylists_SharesFarMoreSongsWithPlaylistsOfTheirGenre()
    {
        // The signal the whole pipeline runs on: users reach playlists only through shared song keys.
        double within = 0, across = 0;
        long withinPairs = 0, acrossPairs = 0;
        foreach (var (user, genre) in _data.UserGenres)
        {
            foreach (var playlist in _data.Playlists)
            {
                var shared = ParsedSyntheticDataset.Overlap(_data.Libraries[user], _data.PlaylistSongs[playlist.Pid]);
                if (_data.PlaylistGenres[playlist.Pid] == genre)
                {
                    within += shared;
                    withinPairs++;
                }
                else
                {
                    across += shared;
                    acrossPairs++;
                }
            }
        }

        Assert.True(within / withinPairs >= 5 * (across / acrossPairs), $"within {within / withinPairs:F2} vs across {across / acrossPairs:F2}");
        Assert.All(_data.Libraries.Values, library => Assert.Contains(_data.PlaylistSongs.Values, songs => ParsedSyntheticDataset.Overlap(library, songs) > 0));
    }

    [Fact]
    public void Generate_Always_WritesPlaylistsOf5To250TracksWithAtLeast3Artists()
    {
        Assert.Equal(dataset.Options.Playlists, _data.Playlists.Count);
        Assert.All(_data.Playlists, playlist =>
        {
            Assert.InRange(playlist.Tracks.Count, 5, 250);
            Assert.True(playlist.Tracks.Select(t => t.ArtistUri).Distinct().Count() >= 3, $"pid {playlist.Pid} has fewer than 3 artists");
            Assert.True(playlist.Tracks.Select(t => t.ArtistName.Trim().ToLowerInvariant()).Distinct().Count() >= 3, $"pid {playlist.Pid} has fewer than 3 artist names");
        });
    }

    [Fact]
    public void Generate_Always_WritesHeavyTailedPlaylistLengthsAndFollowers()
    {
        var lengths = _data.Playlists.Select(p => p.Tracks.Count).Order().ToArray();
        var followers = _data.Playlists.Select(p => p.NumFollowers).ToArray();

        Assert.InRange(lengths.Average(), 45, 75);
        Assert.True(lengths[^1] >= 3 * lengths[lengths.Length / 2], "playlist lengths need a long tail");
        Assert.All(followers, f => Assert.True(f >= 1));
        Assert.InRange(followers.Count(f => f == 1) / (double)followers.Length, 0.5, 0.8);
        Assert.True(followers.Max() >= 20, $"max followers {followers.Max()}");
        Assert.Contains(_data.Playlists, p => p.Tracks.Select(t => t.TrackUri).Distinct().Count() < p.Tracks.Count);
    }

    [Fact]
    public void Generate_Always_WritesPlaylistCountersThatMatchTheTracks()
    {
        Assert.All(_data.Playlists, playlist =>
        {
            Assert.Equal(playlist.Tracks.Count, playlist.NumTracks);
            Assert.Equal(playlist.Tracks.Select(t => t.ArtistUri).Distinct().Count(), playlist.NumArtists);
            Assert.Equal(playlist.Tracks.Select(t => t.AlbumUri).Distinct().Count(), playlist.NumAlbums);
            Assert.Equal(playlist.Tracks.Sum(t => t.DurationMs), playlist.DurationMs);
            Assert.Equal(Enumerable.Range(0, playlist.Tracks.Count), playlist.Tracks.Select(t => t.Pos));
            Assert.True(playlist.NumEdits >= 1);
        });
    }

    [Fact]
    public void Generate_Always_WritesMpdShapedPlaylistFields()
    {
        Assert.Equal(Enumerable.Range(0, dataset.Options.Playlists), _data.Playlists.Select(p => p.Pid));
        Assert.All(_data.Playlists, playlist =>
        {
            Assert.Equal(JsonValueKind.String, playlist.CollaborativeKind);
            Assert.True(playlist.Collaborative is "true" or "false", $"collaborative was '{playlist.Collaborative}'");
            Assert.False(string.IsNullOrWhiteSpace(playlist.Name));
            Assert.All(playlist.Tracks, track =>
            {
                Assert.Matches(TrackUri(), track.TrackUri);
                Assert.Matches(ArtistUri(), track.ArtistUri);
                Assert.Matches(AlbumUri(), track.AlbumUri);
                Assert.InRange(track.DurationMs, 30_000, 1_200_000);
            });
        });

        // One track URI per song key, one artist URI per artist.
        var tracks = _data.Playlists.SelectMany(p => p.Tracks).ToArray();
        Assert.All(tracks.GroupBy(t => t.TrackUri), g => Assert.Single(g.Select(t => SongKey.TryCreate(t.TrackName, t.ArtistName)).Distinct()));
    }

    [Fact]
    public void Generate_Always_WritesTheSliceInfoHeader()
    {
        var info = Assert.Single(_data.SliceInfos);

        Assert.Equal("mpd.slice.0-999.json", info.Key);
        Assert.Equal("0-999", info.Value.GetProperty("slice").GetString());
        Assert.Equal("v1", info.Value.GetProperty("version").GetString());
        Assert.Matches(GeneratedOn(), info.Value.GetProperty("generated_on").GetString());
    }

    [Fact]
    public void Generate_Always_WritesLibrariesOfAtLeast5SongsWithAHeavyTail()
    {
        var sizes = _data.Libraries.Values.Select(l => l.Length).Order().ToArray();

        Assert.Equal(dataset.Options.Users, sizes.Length);
        Assert.True(sizes[0] >= 5, $"smallest library {sizes[0]}");
        Assert.InRange(sizes[sizes.Length / 2], 20, 45);
        Assert.True(sizes[^1] >= 4 * sizes[sizes.Length / 2], $"largest library {sizes[^1]}");
    }

    [Fact]
    public void Generate_Always_WritesTripletsGroupedByUserWithMsdShapedIds()
    {
        Assert.Equal(dataset.Options.Users, _data.UserOrder.Count);
        Assert.Equal(_data.UserOrder.Count, _data.UserOrder.Distinct().Count());
        Assert.Equal(_data.TruthUserOrder, _data.UserOrder);
        Assert.All(_data.TripletLines, fields =>
        {
            Assert.Equal(3, fields.Length);
            Assert.Matches(UserHash(), fields[0]);
            Assert.Matches(SongId(), fields[1]);
            Assert.True(int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture) >= 1);
            Assert.True(_data.UniqueTracks.ContainsKey(fields[1]), $"{fields[1]} has no MSD metadata");
        });

        var playCounts = _data.TripletLines.Select(f => int.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.InRange(playCounts.Count(c => c == 1) / (double)playCounts.Length, 0.5, 0.75);
        Assert.True(playCounts.Max() >= 50, $"max play count {playCounts.Max()}");
    }

    [Fact]
    public void Generate_Always_MakesTheSongUniversesOverlapOnlyPartly()
    {
        var entp = _data.Libraries.Values.SelectMany(l => l).ToHashSet();
        var mpd = _data.PlaylistSongs.Values.SelectMany(p => p).ToHashSet();
        var shared = entp.Intersect(mpd).Count();
        var union = entp.Union(mpd).Count();

        Assert.InRange(shared / (double)union, 0.2, 0.6);
        Assert.True(entp.Count > shared && mpd.Count > shared, "each side must also have songs of its own");
    }

    [Fact]
    public void Generate_Always_SpellsSomeSharedSongsDifferentlyInMpdWithMatchingKeys()
    {
        var msdSpellings = _data.UniqueTracks.Values.Select(t => (t.Title, t.Artist)).ToHashSet();
        var msdKeys = _data.UniqueTracks.Values.Select(t => SongKey.TryCreate(t.Title, t.Artist)).ToHashSet();

        var respelled = _data.Playlists.SelectMany(p => p.Tracks)
            .Where(t => !msdSpellings.Contains((t.TrackName, t.ArtistName)) && msdKeys.Contains(SongKey.TryCreate(t.TrackName, t.ArtistName)))
            .Select(t => (t.TrackName, t.ArtistName))
            .Distinct()
            .ToArray();

        Assert.True(respelled.Length >= 20, $"only {respelled.Length} respelled shared songs");
        Assert.Contains(respelled, t => t.TrackName != t.TrackName.Trim() || t.ArtistName != t.ArtistName.Trim());
        Assert.Contains(respelled, t => t.TrackName.Trim() == t.TrackName && t.ArtistName.Trim() == t.ArtistName);
    }

    [Fact]
    public void Generate_Always_WritesTheSameSongsToBothMsdFiles()
    {
        Assert.Equal(["song_id", "title", "release", "artist_name", "year"], _data.CsvHeader);
        Assert.Equal(_data.UniqueTracks.Keys.Order(StringComparer.Ordinal), _data.SongData.Keys.Order(StringComparer.Ordinal));
        Assert.All(_data.SongData.Values, row =>
        {
            Assert.Equal(5, row.Count);
            var track = _data.UniqueTracks[row[0]];
            Assert.Equal(track.Title, row[1]);
            Assert.Equal(track.Artist, row[3]);
            Assert.Matches(TrackId(), track.TrackId);
        });
        Assert.Equal(_data.UniqueTracks.Count, _data.UniqueTracks.Values.Select(t => t.TrackId).Distinct().Count());
    }

    [Fact]
    public void Generate_Always_ExercisesCsvQuotingAndUnknownYears()
    {
        var rows = _data.SongData.Values.ToArray();

        Assert.Contains(rows, row => row[1].Contains(',', StringComparison.Ordinal));
        Assert.Contains(rows, row => row[1].Contains('"', StringComparison.Ordinal));
        Assert.Contains(rows, row => row[4] == "0");
        Assert.Contains(rows, row => row[4] != "0");
        Assert.All(rows, row => Assert.True(row[4] == "0" || int.Parse(row[4], System.Globalization.CultureInfo.InvariantCulture) is >= 1950 and <= 2011));
    }

    [Fact]
    public void Generate_Always_GivesSomeSongsTwoMsdIdsWithOneKey()
    {
        var idsPerKey = _data.UniqueTracks.Values.GroupBy(t => SongKey.TryCreate(t.Title, t.Artist)).Select(g => g.Count()).ToArray();

        Assert.Contains(idsPerKey, n => n == 2);
        Assert.True(idsPerKey.Count(n => n > 1) < idsPerKey.Length / 10, "alternate ids must stay rare");
    }

    private static (double WithinJaccard, double AcrossJaccard, double WithinShared, double AcrossShared) PairStatistics(
        int count, Func<int, int[]> songs, Func<int, int> genre)
    {
        double withinJaccard = 0, acrossJaccard = 0, withinShared = 0, acrossShared = 0;
        long within = 0, across = 0;
        for (var i = 0; i < count; i++)
        {
            var a = songs(i);
            for (var j = i + 1; j < count; j++)
            {
                var b = songs(j);
                var shared = ParsedSyntheticDataset.Overlap(a, b);
                var jaccard = shared / (double)(a.Length + b.Length - shared);
                if (genre(i) == genre(j))
                {
                    withinJaccard += jaccard;
                    withinShared += shared;
                    within++;
                }
                else
                {
                    acrossJaccard += jaccard;
                    acrossShared += shared;
                    across++;
                }
            }
        }

        Assert.True(within > 0 && across > 0, "the tiny preset must have several genres");
        return (withinJaccard / within, acrossJaccard / across, withinShared / within, acrossShared / across);
    }

    [GeneratedRegex("^spotify:track:[0-9A-Za-z]{22}$")]
    private static partial Regex TrackUri();

    [GeneratedRegex("^spotify:artist:[0-9A-Za-z]{22}$")]
    private static partial Regex ArtistUri();

    [GeneratedRegex("^spotify:album:[0-9A-Za-z]{22}$")]
    private static partial Regex AlbumUri();

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex UserHash();

    [GeneratedRegex("^SO[0-9A-Z]{16}$")]
    private static partial Regex SongId();

    [GeneratedRegex("^TR[0-9A-Z]{16}$")]
    private static partial Regex TrackId();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$")]
    private static partial Regex GeneratedOn();
}
