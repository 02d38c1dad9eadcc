using System.Buffers.Binary;
using System.Numerics.Tensors;
using SpotifyBuddies.Models.Pairing;
using SpotifyBuddies.Models.Pairing.Approximate;

namespace SpotifyBuddies.Models.Tests.Approximate;

public sealed class UserVectorsTests
{
    [Fact]
    public void FromLibraries_WhenSpectralCoversTheRank_DotProductsAreTheExactCosines()
    {
        // 40 users over 30 songs: rank ≤ 30 < d + oversampling, so the truncated SVD is exact.
        var libraries = AnnTestData.TasteGroups(users: 40, songs: 30, groups: 3, seed: 1);

        var vectors = UserVectors.FromLibraries(libraries, dimensions: 32, seed: 7);

        for (var u = 0; u < libraries.Users; u++)
        {
            for (var v = 0; v < libraries.Users; v++)
            {
                if (vectors.IsEmpty(u) || vectors.IsEmpty(v))
                {
                    continue;
                }

                var expected = AnnTestData.Cosine(libraries.Library(u), libraries.Library(v));
                Assert.Equal(expected, TensorPrimitives.Dot(vectors.Of(u), vectors.Of(v)), 3);
            }
        }
    }

    [Fact]
    public void FromLibraries_WhenDataIsTiny_StillGivesExactCosines()
    {
        // Three users, four songs: fewer directions than dimensions.
        var libraries = new UserLibraries(4, 4, [0, 2, 3, 3, 5], [0, 1, 1, 1, 3]);

        var vectors = UserVectors.FromLibraries(libraries, dimensions: 16, seed: 1);

        Assert.True(vectors.IsEmpty(2));
        Assert.Equal(1 / Math.Sqrt(2), TensorPrimitives.Dot(vectors.Of(0), vectors.Of(1)), 4);
        Assert.Equal(0.5, TensorPrimitives.Dot(vectors.Of(0), vectors.Of(3)), 4);
        Assert.Equal(1 / Math.Sqrt(2), TensorPrimitives.Dot(vectors.Of(1), vectors.Of(3)), 4);
    }

    [Theory]
    [InlineData(UserVectorMethod.Spectral)]
    [InlineData(UserVectorMethod.Hashing)]
    public void FromLibraries_WhenBuilt_RowsAreUnitVectorsAndEmptyLibrariesZero(UserVectorMethod method)
    {
        var libraries = AnnTestData.TasteGroups(users: 300, songs: 500, groups: 4, seed: 2);

        var vectors = UserVectors.FromLibraries(libraries, dimensions: 16, seed: 3, method);

        Assert.Equal(method, vectors.Method);
        Assert.Equal(UserVectors.Fingerprint(libraries), vectors.SourceFingerprint);
        for (var u = 0; u < libraries.Users; u++)
        {
            var empty = libraries.Library(u).IsEmpty;
            Assert.Equal(empty, vectors.IsEmpty(u));
            Assert.Equal(empty ? 0f : 1f, TensorPrimitives.Norm(vectors.Of(u)), 4);
        }
    }

    [Fact]
    public void FromLibraries_WhenSameSeed_IsReproducibleAndOtherSeedDiffers()
    {
        var libraries = AnnTestData.TasteGroups(users: 500, songs: 2000, groups: 5, seed: 4);

        var first = UserVectors.FromLibraries(libraries, dimensions: 32, seed: 9);
        var again = UserVectors.FromLibraries(libraries, dimensions: 32, seed: 9);
        var other = UserVectors.FromLibraries(libraries, dimensions: 32, seed: 10, UserVectorMethod.Hashing);

        Assert.True(first.Values.SequenceEqual(again.Values));
        Assert.False(first.Values.SequenceEqual(other.Values));
    }

    [Fact]
    public void Fingerprint_WhenOneSongChanges_Changes()
    {
        var libraries = AnnTestData.TasteGroups(users: 50, songs: 100, groups: 2, seed: 5);
        var songs = libraries.SongIndexes.ToArray();
        songs[^1] = songs[^1] == 99 ? 98 : 99;
        var changed = new UserLibraries(libraries.Users, libraries.Songs, libraries.Offsets, songs);

        Assert.NotEqual(UserVectors.Fingerprint(libraries), UserVectors.Fingerprint(changed));
    }

    [Fact]
    public void SaveAndLoad_WhenRoundTripped_KeepValuesAndMetadata()
    {
        using var dir = new TempDirectory();
        var path = dir.Sub("users.vec");
        var vectors = UserVectors.FromLibraries(AnnTestData.TasteGroups(100, 300, 3, seed: 6), dimensions: 16, seed: 11);

        vectors.Save(path);
        var loaded = UserVectors.Load(path);

        Assert.True(vectors.Values.SequenceEqual(loaded.Values));
        Assert.Equal(vectors.Users, loaded.Users);
        Assert.Equal(vectors.Dimensions, loaded.Dimensions);
        Assert.Equal(vectors.Seed, loaded.Seed);
        Assert.Equal(vectors.Method, loaded.Method);
        Assert.Equal(vectors.SourceFingerprint, loaded.SourceFingerprint);
        Assert.Equal(vectors.NonEmptyUsers, loaded.NonEmptyUsers);
        Assert.Empty(Directory.GetFiles(dir.Path, ".*"));
    }

    [Fact]
    public void Load_WhenTruncatedOrCorrupt_ThrowsNamingTheProblem()
    {
        using var dir = new TempDirectory();
        var path = dir.Sub("users.vec");
        UserVectors.FromValues(10, 4, Enumerable.Range(1, 40).Select(i => (float)i).ToArray()).Save(path);
        var bytes = File.ReadAllBytes(path);

        File.WriteAllBytes(path, bytes[..^4]);
        var truncated = Assert.Throws<AnnIndexFormatException>(() => UserVectors.Load(path));
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var corrupt = Assert.Throws<AnnIndexFormatException>(() => UserVectors.Load(path));

        Assert.Contains("truncated", truncated.Message, StringComparison.Ordinal);
        Assert.Contains("checksum", corrupt.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExportNpy_WhenWritten_HasANumpyHeaderAndTheRowsInOrder()
    {
        using var dir = new TempDirectory();
        var path = dir.Sub("users.npy");
        var vectors = UserVectors.FromValues(3, 2, [3, 4, 0, 0, 0, 2]);

        vectors.ExportNpy(path);
        var bytes = File.ReadAllBytes(path);
        var headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        var header = System.Text.Encoding.ASCII.GetString(bytes, 10, headerLength);
        var data = bytes.AsSpan(10 + headerLength).ToArray();

        Assert.Equal([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0], bytes[..8]);
        Assert.Equal(0, (10 + headerLength) % 64);
        Assert.Contains("'shape': (3, 2)", header, StringComparison.Ordinal);
        Assert.Contains("'descr': '<f4'", header, StringComparison.Ordinal);
        Assert.Equal(new float[] { 0.6f, 0.8f, 0, 0, 0, 1 }, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(data).ToArray());
    }
}
