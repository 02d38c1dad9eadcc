using System.Globalization;
using System.Text;
using SpotifyBuddies.Core.Randomness;
using SpotifyBuddies.Data.Formats;

namespace SpotifyBuddies.Data.Synthetic;

/// <summary>One synthetic ENTP listener: latent genre mix (the truth) and library.</summary>
internal sealed record SyntheticUser(int Index, string UserId, int[] Genres, double[] GenreWeights, int[] Songs, string[] SongIds, int[] PlayCounts)
{
    public int PrimaryGenre => Genres[0];
}

/// <summary>One synthetic MPD playlist: latent genre mix (the truth), catalogue songs and the MPD record.</summary>
internal sealed record SyntheticPlaylist(int[] Genres, double[] GenreWeights, int[] Songs, MpdPlaylist Playlist)
{
    public int PrimaryGenre => Genres[0];
}

/// <summary>
/// Draws users and playlists from a <see cref="SyntheticCatalogue"/>. Entity <c>i</c> uses its own
/// forked random stream, so any entity can be generated alone, in any order, on any thread, and always
/// comes out the same. Thread-safe.
/// </summary>
internal sealed class SyntheticPopulation(SyntheticCatalogue catalogue, DeterministicRandom root)
{
    /// <summary>Share of a library drawn from the whole ENTP universe instead of the user's genres.</summary>
    public const double UserNoise = 0.04;

    /// <summary>Share of a playlist drawn from the whole MPD universe instead of its genres.</summary>
    public const double PlaylistNoise = 0.03;

    /// <summary>Median library size (songs) before the lower bound of 5.</summary>
    public const double MedianLibrary = 30;

    /// <summary>Median playlist length before truncation to 5..250.</summary>
    public const double MedianPlaylist = 48;

    public const int MinLibrary = 5;

    public const int MinPlaylistTracks = 5;

    public const int MaxPlaylistTracks = 250;

    private static readonly long ModifiedAtEnd = new DateTimeOffset(2017, 11, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
    private static readonly long ModifiedAtStart = new DateTimeOffset(2010, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    private readonly DeterministicRandom _users = root.Fork("users");
    private readonly DeterministicRandom _playlists = root.Fork("playlists");
    private readonly int _maxLibrary = Math.Clamp(catalogue.EntpGlobal.Count / 10, MinLibrary, 5_000);

    public SyntheticCatalogue Catalogue => catalogue;

    public SyntheticUser CreateUser(int index)
    {
        var random = _users.Fork((ulong)index);
        var (genres, weights) = DrawGenreMix(random, random.NextDouble() switch { < 0.5 => 1, < 0.85 => 2, _ => 3 }, 0.6, 0.9);

        var size = MinLibrary;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var draw = (int)Math.Round(random.NextLogNormal(Math.Log(MedianLibrary), 0.85));
            if (draw >= MinLibrary)
            {
                size = draw;
                break;
            }
        }

        size = Math.Min(size, _maxLibrary);
        var songs = DrawSongs(random, size, genres, weights, UserNoise, catalogue.EntpByGenre, catalogue.EntpGlobal);
        var songIds = new string[songs.Length];
        var playCounts = new int[songs.Length];
        for (var i = 0; i < songs.Length; i++)
        {
            var song = songs[i];
            var alternate = catalogue.AlternateOf[song];
            songIds[i] = alternate >= 0 && random.NextBool(0.4) ? catalogue.AlternateSongIds[alternate] : catalogue.SongId[song]!;
            playCounts[i] = random.NextPowerLaw(1.4, 5_000);
        }

        return new SyntheticUser(index, catalogue.Ids.User(index), genres, weights, songs, songIds, playCounts);
    }

    public SyntheticPlaylist CreatePlaylist(int pid)
    {
        var random = _playlists.Fork((ulong)pid);
        var (genres, weights) = DrawGenreMix(random, random.NextBool(0.7) ? 1 : 2, 0.55, 0.8);

        int length;
        do
        {
            length = (int)Math.Round(random.NextLogNormal(Math.Log(MedianPlaylist), 0.85));
        }
        while (length is < MinPlaylistTracks or > MaxPlaylistTracks);

        var repeats = length >= 8 && random.NextBool(0.06) ? random.NextInt(1, 4) : 0;
        var distinct = DrawSongs(random, length - repeats, genres, weights, PlaylistNoise, catalogue.MpdByGenre, catalogue.MpdGlobal);
        EnsureThreeArtists(random, distinct, genres[0]);

        var songs = new List<int>(length);
        songs.AddRange(distinct);
        for (var i = 0; i < repeats; i++)
        {
            songs.Insert(random.NextInt(songs.Count + 1), distinct[random.NextInt(distinct.Length)]);
        }

        var tracks = new MpdTrack[songs.Count];
        var artists = new HashSet<int>();
        var albums = new HashSet<int>();
        var duration = 0;
        for (var pos = 0; pos < tracks.Length; pos++)
        {
            var song = songs[pos];
            var artist = catalogue.SongArtist[song];
            var album = catalogue.SongAlbum[song];
            artists.Add(artist);
            albums.Add(album);
            duration += catalogue.DurationMs[song];
            tracks[pos] = new MpdTrack
            {
                Pos = pos,
                ArtistName = catalogue.MpdArtist[song],
                TrackUri = catalogue.TrackUri[song],
                ArtistUri = catalogue.ArtistUris[artist],
                TrackName = catalogue.MpdTitle[song],
                AlbumUri = catalogue.AlbumUris[album],
                DurationMs = catalogue.DurationMs[song],
                AlbumName = catalogue.AlbumNames[album],
            };
        }

        var genreName = catalogue.GenreNames[genres[0]];
        var days = Math.Min((long)(random.NextExponential() * 500), (ModifiedAtEnd - ModifiedAtStart) / 86_400);
        var playlist = new MpdPlaylist
        {
            Pid = pid,
            Name = NameFactory.PlaylistName(random, genreName),
            Collaborative = random.NextBool(0.02),
            ModifiedAt = ModifiedAtEnd - (days * 86_400),
            NumTracks = tracks.Length,
            NumAlbums = albums.Count,
            NumFollowers = random.NextPowerLaw(1.5, 100_000),
            NumEdits = Math.Max(1, (int)Math.Round(random.NextLogNormal(Math.Log(8), 0.9))),
            DurationMs = duration,
            NumArtists = artists.Count,
            Description = random.NextBool(0.03) ? NameFactory.PlaylistDescription(random, genreName) : null,
            Tracks = tracks,
        };

        return new SyntheticPlaylist(genres, weights, [.. songs], playlist);
    }

    /// <summary>The truth line of a user: <c>user_id TAB primary_genre TAB g:w,g:w</c>.</summary>
    public static string TruthLine(string id, int[] genres, double[] weights)
    {
        var line = new StringBuilder(64);
        line.Append(id).Append('\t').Append(genres[0].ToString(CultureInfo.InvariantCulture)).Append('\t');
        for (var i = 0; i < genres.Length; i++)
        {
            if (i > 0)
            {
                line.Append(',');
            }

            line.Append(genres[i].ToString(CultureInfo.InvariantCulture)).Append(':').Append(weights[i].ToString("0.000", CultureInfo.InvariantCulture));
        }

        return line.Append('\n').ToString();
    }

    /// <summary>
    /// <paramref name="count"/> distinct genres (the first drawn by popularity is the primary one, the rest
    /// by popularity among the others) with weights: the primary gets U(<paramref name="primaryMin"/>,
    /// <paramref name="primaryMax"/>), the others split the rest at random.
    /// </summary>
    private (int[] Genres, double[] Weights) DrawGenreMix(DeterministicRandom random, int count, double primaryMin, double primaryMax)
    {
        count = Math.Min(count, catalogue.GenreCount);
        var genres = new int[count];
        genres[0] = catalogue.GenrePicker.Sample(random);
        for (var i = 1; i < count; i++)
        {
            var genre = catalogue.GenrePicker.Sample(random);
            for (var attempt = 0; Array.IndexOf(genres, genre, 0, i) >= 0; attempt++)
            {
                genre = attempt < 16 ? catalogue.GenrePicker.Sample(random) : (genre + 1) % catalogue.GenreCount;
            }

            genres[i] = genre;
        }

        var weights = new double[count];
        if (count == 1)
        {
            weights[0] = 1.0;
            return (genres, weights);
        }

        weights[0] = primaryMin + ((primaryMax - primaryMin) * random.NextDouble());
        var rest = 1.0 - weights[0];
        var splits = new double[count - 1];
        for (var i = 0; i < splits.Length; i++)
        {
            splits[i] = 0.5 + random.NextDouble();
        }

        var splitTotal = splits.Sum();
        for (var i = 1; i < count; i++)
        {
            weights[i] = rest * splits[i - 1] / splitTotal;
        }

        return (genres, weights);
    }

    /// <summary>
    /// <paramref name="size"/> distinct songs: each draw picks the global pool with probability
    /// <paramref name="noise"/>, else a genre by the mix weights, then a song by popularity. Popularity
    /// sampling slows down as the head is used up, so after a bounded number of draws the rest is filled
    /// from the primary genre's pool in order, then from the global one.
    /// </summary>
    private static int[] DrawSongs(DeterministicRandom random, int size, int[] genres, double[] weights, double noise, SongPool[] byGenre, SongPool global)
    {
        size = Math.Min(size, global.Count);
        var chosen = new HashSet<int>(size);
        var songs = new int[size];
        var count = 0;
        for (var attempt = 0; count < size && attempt < size * 8; attempt++)
        {
            var pool = global;
            if (random.NextDouble() >= noise)
            {
                var pick = random.NextDouble();
                var g = 0;
                while (g < genres.Length - 1 && pick >= weights[g])
                {
                    pick -= weights[g];
                    g++;
                }

                if (byGenre[genres[g]].Count > 0)
                {
                    pool = byGenre[genres[g]];
                }
            }

            var song = pool.Sample(random);
            if (chosen.Add(song))
            {
                songs[count++] = song;
            }
        }

        foreach (var pool in new[] { byGenre[genres[0]], global })
        {
            if (count == size || pool.Count == 0)
            {
                continue;
            }

            var offset = random.NextInt(pool.Count);
            for (var i = 0; i < pool.Count && count < size; i++)
            {
                var song = pool.Songs[(offset + i) % pool.Count];
                if (chosen.Add(song))
                {
                    songs[count++] = song;
                }
            }
        }

        return songs;
    }

    /// <summary>
    /// Makes sure the playlist has at least three distinct artists (the MPD guarantees it) by replacing
    /// tracks of over-represented artists with songs of new artists, from the primary genre first.
    /// </summary>
    private void EnsureThreeArtists(DeterministicRandom random, int[] songs, int primaryGenre)
    {
        var artistCounts = new Dictionary<int, int>();
        foreach (var song in songs)
        {
            artistCounts[catalogue.SongArtist[song]] = artistCounts.GetValueOrDefault(catalogue.SongArtist[song]) + 1;
        }

        if (artistCounts.Count >= 3)
        {
            return;
        }

        var chosen = new HashSet<int>(songs);
        var genrePool = catalogue.MpdByGenre[primaryGenre];
        for (var i = songs.Length - 1; i >= 0 && artistCounts.Count < 3; i--)
        {
            var oldArtist = catalogue.SongArtist[songs[i]];
            if (artistCounts[oldArtist] == 1)
            {
                continue;
            }

            var replacement = FindNewArtistSong(random, genrePool, artistCounts, chosen) ?? FindNewArtistSong(random, catalogue.MpdGlobal, artistCounts, chosen)
                ?? throw new InvalidOperationException("The synthetic catalogue has fewer than three artists on the MPD side.");
            artistCounts[oldArtist]--;
            artistCounts[catalogue.SongArtist[replacement]] = 1;
            chosen.Remove(songs[i]);
            chosen.Add(replacement);
            songs[i] = replacement;
        }
    }

    private int? FindNewArtistSong(DeterministicRandom random, SongPool pool, Dictionary<int, int> artistCounts, HashSet<int> chosen)
    {
        if (pool.Count == 0)
        {
            return null;
        }

        for (var attempt = 0; attempt < 32; attempt++)
        {
            var song = pool.Sample(random);
            if (!artistCounts.ContainsKey(catalogue.SongArtist[song]) && !chosen.Contains(song))
            {
                return song;
            }
        }

        var offset = random.NextInt(pool.Count);
        for (var i = 0; i < pool.Count; i++)
        {
            var song = pool.Songs[(offset + i) % pool.Count];
            if (!artistCounts.ContainsKey(catalogue.SongArtist[song]) && !chosen.Contains(song))
            {
                return song;
            }
        }

        return null;
    }
}
