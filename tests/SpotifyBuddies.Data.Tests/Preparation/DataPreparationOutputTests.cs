using SpotifyBuddies.Core.Preparation;
using SpotifyBuddies.Data.Datasets;
using SpotifyBuddies.Data.Inspection;

namespace SpotifyBuddies.Data.Tests.Preparation;

/// <summary>The output directory: refused without force, replaced atomically with it, never half-written.</summary>
public sealed class DataPreparationOutputTests : IDisposable
{
    private static readonly MicroDataset.Song[] Songs = [new("SOA", "A", "X"), new("SOB", "B", "X"), new("SOC", "C", "Y")];

    private static readonly (string, string)[] Rows = [("u1", "SOA"), ("u1", "SOB"), ("u2", "SOB"), ("u2", "SOC"), ("u3", "SOC")];

    private static readonly MicroDataset.Playlist[] Playlists =
    [
        new(1, "one", ("A", "X"), ("B", "X")), new(2, "two", ("B", "X"), ("C", "Y")), new(3, "three", ("C", "Y")),
    ];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task RunAsync_WhenTheOutputExistsWithoutForce_RefusesAndLeavesItAlone()
    {
        var inputs = MicroDataset.Write(_temp.Sub("raw"), Songs, Rows, Playlists);
        var output = ExistingOutput();

        var error = await Assert.ThrowsAsync<DatasetExistsException>(() => Prepare.RunAsync(inputs, output));

        Assert.Contains("--force", error.Message, StringComparison.Ordinal);
        Assert.Equal("old", File.ReadAllText(Path.Combine(output, "keep.txt")));
        Assert.Empty(_temp.Leftovers());
    }

    [Fact]
    public async Task RunAsync_WithForce_ReplacesTheDatasetOnlyWhenComplete()
    {
        var inputs = MicroDataset.Write(_temp.Sub("raw"), Songs, Rows, Playlists);
        var output = ExistingOutput();

        var result = await Prepare.RunAsync(inputs, output, force: true);

        Assert.False(File.Exists(Path.Combine(output, "keep.txt")));
        Assert.True(File.Exists(Path.Combine(output, DatasetManifest.FileName)));
        Assert.Equal(Path.GetFullPath(output), result.OutputDir);
        Assert.Empty(_temp.Leftovers());
    }

    [Fact]
    public async Task RunAsync_IntoAnExistingEmptyDirectory_NeedsNoForce()
    {
        var inputs = MicroDataset.Write(_temp.Sub("raw"), Songs, Rows, Playlists);
        var output = _temp.Sub("empty");
        Directory.CreateDirectory(output);

        await Prepare.RunAsync(inputs, output);

        Assert.True(File.Exists(Path.Combine(output, DatasetManifest.FileName)));
    }

    [Fact]
    public async Task RunAsync_WhenTheRunFails_KeepsTheOldDatasetAndLeavesNoTemporaryDirectory()
    {
        var inputs = MicroDataset.Write(_temp.Sub("raw"), Songs, Rows, [new(9, "nothing shared", ("Q", "Z"))]);
        var output = ExistingOutput();

        await Assert.ThrowsAsync<InvalidDatasetException>(() => Prepare.RunAsync(inputs, output, force: true));

        Assert.Equal("old", File.ReadAllText(Path.Combine(output, "keep.txt")));
        Assert.Empty(_temp.Leftovers());
    }

    [Fact]
    public async Task RunAsync_WhenCancelled_LeavesNothingBehind()
    {
        var inputs = MicroDataset.Write(_temp.Sub("raw"), Songs, Rows, Playlists);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Prepare.RunAsync(inputs, _temp.Sub("out"), cancellationToken: cancelled.Token));

        Assert.False(Directory.Exists(_temp.Sub("out")));
        Assert.Empty(_temp.Leftovers());
    }

    [Fact]
    public async Task RunAsync_WithInvalidParameters_ListsEveryProblem()
    {
        var inputs = MicroDataset.Write(_temp.Sub("raw"), Songs, Rows, Playlists);
        var parameters = new PreparationParameters { LikedFraction = 0, OwnershipCap = 0 };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Prepare.RunAsync(inputs, _temp.Sub("out"), parameters, blockSize: 0));

        Assert.Contains(nameof(PreparationParameters.LikedFraction), error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(PreparationParameters.OwnershipCap), error.Message, StringComparison.Ordinal);
        Assert.Contains("BlockSize", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Sub("out")));
    }

    private string ExistingOutput()
    {
        var output = _temp.Sub("out");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "keep.txt"), "old");
        return output;
    }
}
