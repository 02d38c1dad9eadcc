using System.Text;
using SpotifyBuddies.Data.Formats;
using SpotifyBuddies.Data.Inspection;

namespace SpotifyBuddies.Data.Tests.Preparation;

/// <summary>Malformed input rows are reported with their real file line, however the ENTP file is chunked.</summary>
public sealed class DataPreparationMalformedInputTests : IDisposable
{
    private const int BadLine = 731;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(256)]
    [InlineData(1 << 20)]
    public async Task RunAsync_WithAMalformedEntpRow_FailsAtItsFileLineInAnyChunking(long chunkBytes)
    {
        var inputs = WriteInputs();

        var error = await Assert.ThrowsAsync<DataFormatException>(
            () => Prepare.RunAsync(inputs, _temp.Sub("out"), threads: 4, entpChunkBytes: chunkBytes));

        Assert.Equal(BadLine, error.Error.Line);
        Assert.Equal("play_count", error.Error.Field);
        Assert.Empty(_temp.Leftovers());
    }

    [Theory]
    [InlineData(256)]
    [InlineData(1 << 20)]
    public async Task RunAsync_WithSkipBad_CountsTheRowAndNamesItsLine(long chunkBytes)
    {
        var inputs = WriteInputs();

        var result = await Prepare.RunAsync(
            inputs, _temp.Sub("out"), threads: 4, entpChunkBytes: chunkBytes, readOptions: new ReadOptions { SkipBad = true });

        Assert.Equal(1, result.Stats.Input.SkippedMalformedRecords);
        Assert.Equal(1999, result.Stats.Input.EntpRows);
        Assert.Contains(result.Warnings, w => w.Contains(FormattableString.Invariant($"train_triplets.txt:{BadLine}:"), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task RunAsync_WhenMsdAndMpdAreBothMalformed_ReportsTheMsdErrorAsWhenMsdWasReadFirst(int threads)
    {
        // MSD is read while MPD slices are parsed; an MSD error must still win, whatever finishes first.
        var inputs = WriteInputs();
        File.AppendAllText(inputs.MsdSongs, "TRBAD<SEP>SOBAD<SEP>only three fields\n");
        File.WriteAllText(inputs.MpdSlices[0], """{"playlists": [{"pid": "not a number", "name": "n", "tracks": []}]}""");

        var error = await Assert.ThrowsAsync<DataFormatException>(() => Prepare.RunAsync(inputs, _temp.Sub("out"), threads: threads));

        Assert.Equal(inputs.MsdSongs, error.Error.File);
        Assert.Empty(_temp.Leftovers());
    }

    // 2,000 ENTP lines over 40 users (runs of 50 lines), one of them malformed.
    private RawDatasetPaths WriteInputs()
    {
        MicroDataset.Song[] songs = [.. Enumerable.Range(0, 60).Select(i => new MicroDataset.Song($"SO{i:D3}", $"Song {i}", $"Artist {i % 7}"))];
        MicroDataset.Playlist[] playlists =
        [
            .. Enumerable.Range(0, 12).Select(p => new MicroDataset.Playlist(
                p, $"list {p}", [.. Enumerable.Range(0, 10).Select(k => ($"Song {((p * 5) + k) % 60}", $"Artist {((p * 5) + k) % 60 % 7}"))])),
        ];
        var inputs = MicroDataset.Write(_temp.Sub("raw"), songs, [("placeholder", "SO000")], playlists);
        var entp = new StringBuilder();
        for (var line = 1; line <= 2000; line++)
        {
            var user = $"user{(line - 1) / 50:D2}";
            entp.Append(line == BadLine ? $"{user}\tSO001\tmany\n" : $"{user}\tSO{(line * 7) % 60:D3}\t1\n");
        }

        File.WriteAllText(inputs.TasteTriplets, entp.ToString());
        return inputs;
    }
}
