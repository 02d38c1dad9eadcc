using SpotifyBuddies.Data.Synthetic;

namespace SpotifyBuddies.Data.Tests.Synthetic;

public sealed class SyntheticPopulationTests
{
    private static readonly SyntheticPopulation World = SyntheticDataGenerator.CreateWorld(SynthOptions.Preset("tiny"));

    [Fact]
    public void CreateUser_WhenCalledInAnyOrderOrOnAnotherWorld_ReturnsTheSameUser()
    {
        var later = Enumerable.Range(0, 20).Select(World.CreateUser).Last();
        var alone = SyntheticDataGenerator.CreateWorld(SynthOptions.Preset("tiny")).CreateUser(19);

        Assert.Equal(later.UserId, alone.UserId);
        Assert.Equal(later.Songs, alone.Songs);
        Assert.Equal(later.PlayCounts, alone.PlayCounts);
        Assert.Equal(later.Genres, alone.Genres);
    }

    [Fact]
    public void CreatePlaylist_WhenCalledTwice_ReturnsTheSamePlaylist()
    {
        var first = World.CreatePlaylist(123);
        var second = World.CreatePlaylist(123);

        Assert.Equal(first.Songs, second.Songs);
        Assert.Equal(first.Playlist.Name, second.Playlist.Name);
        Assert.Equal(first.Playlist.NumFollowers, second.Playlist.NumFollowers);
    }

    [Fact]
    public void CreateUser_Always_MixesOneToThreeGenresWithWeightsSummingToOne()
    {
        var users = Enumerable.Range(0, 300).Select(World.CreateUser).ToArray();

        Assert.All(users, user =>
        {
            Assert.InRange(user.Genres.Length, 1, 3);
            Assert.Equal(user.Genres.Length, user.Genres.Distinct().Count());
            Assert.Equal(1.0, user.GenreWeights.Sum(), 9);
            Assert.Equal(user.GenreWeights.Max(), user.GenreWeights[0]);
            Assert.Equal(user.Songs.Length, user.Songs.Distinct().Count());
        });
        Assert.Equal([1, 2, 3], users.Select(u => u.Genres.Length).Distinct().Order());
    }

    [Fact]
    public void CreateUser_Always_DrawsMostSongsFromThePrimaryGenreAndOnlyEntpSongs()
    {
        var catalogue = World.Catalogue;
        var songs = Enumerable.Range(0, 300).Select(World.CreateUser).SelectMany(u => u.Songs.Select(s => (u.PrimaryGenre, Song: s))).ToArray();

        Assert.All(songs, s => Assert.NotEqual(SongSide.MpdOnly, catalogue.Side[s.Song]));
        Assert.InRange(songs.Count(s => catalogue.SongGenre[s.Song] == s.PrimaryGenre) / (double)songs.Length, 0.65, 0.95);
    }

    [Fact]
    public void CreatePlaylist_Always_MixesOneOrTwoGenresAndUsesOnlyMpdSongs()
    {
        var catalogue = World.Catalogue;
        var playlists = Enumerable.Range(0, 600).Select(World.CreatePlaylist).ToArray();

        Assert.All(playlists, p =>
        {
            Assert.InRange(p.Genres.Length, 1, 2);
            Assert.All(p.Songs, s => Assert.NotEqual(SongSide.EntpOnly, catalogue.Side[s]));
            Assert.Equal(p.Songs.Length, p.Playlist.Tracks.Count);
        });
        Assert.Contains(playlists, p => p.Genres.Length == 2);
        Assert.Contains(playlists, p => p.Genres.Length == 1);
    }
}
