using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Data.Synthetic;

namespace SpotifyBuddies.Data.Tests.Synthetic;

public sealed class SyntheticCatalogueTests
{
    private static readonly SyntheticCatalogue Catalogue = SyntheticDataGenerator.CreateWorld(SynthOptions.Preset("tiny")).Catalogue;

    [Fact]
    public void Build_Always_GivesEverySongADistinctKey()
    {
        var keys = Enumerable.Range(0, Catalogue.SongCount).Select(Catalogue.Key).ToHashSet();

        Assert.Equal(Catalogue.SongCount, keys.Count);
    }

    [Fact]
    public void Build_WhenASharedSongIsRespelledForMpd_KeepsItsKey()
    {
        var shared = Enumerable.Range(0, Catalogue.SongCount).Where(s => Catalogue.Side[s] == SongSide.Both).ToArray();
        var respelled = shared.Where(s => Catalogue.MpdTitle[s] != Catalogue.Title[s] || Catalogue.MpdArtist[s] != Catalogue.ArtistNames[Catalogue.SongArtist[s]]).ToArray();

        Assert.All(shared, s => Assert.Equal(Catalogue.Key(s), SongKey.TryCreate(Catalogue.MpdTitle[s], Catalogue.MpdArtist[s])));
        Assert.InRange(respelled.Length / (double)shared.Length, 0.08, 0.25);
    }

    [Fact]
    public void Build_Always_SplitsSongsIntoSharedAndOneSidedParts()
    {
        Assert.Equal(Catalogue.SongCount, Catalogue.SharedSongs + Catalogue.EntpOnlySongs + Catalogue.MpdOnlySongs);
        Assert.InRange(Catalogue.SharedSongs / (double)Catalogue.SongCount, 0.3, 0.5);
        Assert.True(Catalogue.EntpOnlySongs > 0 && Catalogue.MpdOnlySongs > 0);
        Assert.All(Enumerable.Range(0, Catalogue.SongCount), s => Assert.Equal(Catalogue.Side[s] != SongSide.MpdOnly, Catalogue.SongId[s] is not null));
    }

    [Fact]
    public void Build_Always_KeepsArtistsAndSongsInOneGenre()
    {
        Assert.All(Enumerable.Range(0, Catalogue.SongCount), s =>
        {
            Assert.Equal(Catalogue.SongGenre[s], Catalogue.ArtistGenre[Catalogue.SongArtist[s]]);
            Assert.InRange(s, Catalogue.GenreStart[Catalogue.SongGenre[s]], Catalogue.GenreStart[Catalogue.SongGenre[s] + 1] - 1);
        });
        Assert.All(Enumerable.Range(0, Catalogue.GenreCount), g =>
            Assert.True(Catalogue.ArtistGenre.Count(a => a == g) >= 3, $"genre {g} has fewer than 3 artists"));
    }

    [Fact]
    public void Build_Always_MakesPopularityZipfLikeWithinAGenre()
    {
        var pool = Catalogue.EntpByGenre[0];
        var top = pool.Sampler!.Probability(0);
        var tenth = pool.Sampler.Probability(9);

        // Ranks are in pool order; weights fall as (rank + 1 + offset)^-exponent.
        Assert.True(top > 2 * tenth, $"top {top:F4} vs tenth {tenth:F4}");
        Assert.All(Enumerable.Range(1, pool.Count - 1), i => Assert.True(pool.Sampler.Probability(i) <= pool.Sampler.Probability(i - 1) + 1e-12));
    }

    [Fact]
    public void Build_Always_GivesMsdIdsThatAreUnique()
    {
        var ids = Catalogue.SongId.OfType<string>().Concat(Catalogue.AlternateSongIds).ToArray();
        var tracks = Catalogue.TrackId.OfType<string>().Concat(Catalogue.AlternateTrackIds).ToArray();

        Assert.Equal(ids.Length, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(tracks.Length, tracks.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Catalogue.TrackUri.Length, Catalogue.TrackUri.Distinct(StringComparer.Ordinal).Count());
        Assert.NotEmpty(Catalogue.AlternateSongIds);
    }
}
