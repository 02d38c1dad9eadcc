using System.Xml.Linq;
using SpotifyBuddies.Data.Datasets;
using SpotifyBuddies.Data.Reports;

namespace SpotifyBuddies.Data.Tests.Preparation;

/// <summary>The reusable dataset pieces: Parquet tables, raw matrices, histograms, distributions.</summary>
public sealed class DatasetFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ParquetTableWriter_AcrossSeveralRowGroups_RoundTripsEveryColumn()
    {
        var path = _temp.Sub("table.parquet");
        ColumnSchema[] columns = [new("id", ColumnType.I32, "id"), new("big", ColumnType.I64, "big"), new("x", ColumnType.F64, "x"), new("name", ColumnType.Text, "name")];
        await using (var writer = await ParquetTableWriter.CreateAsync(path, columns, rowGroupSize: 7))
        {
            for (var i = 0; i < 30; i++)
            {
                writer.Ints(0).Add(i);
                writer.Longs(1).Add((long)i << 40);
                writer.Doubles(2).Add(i / 3.0);
                writer.Strings(3).Add($"n{i}");
                await writer.FlushIfFullAsync();
            }

            await writer.CompleteAsync();
            Assert.Equal(30, writer.RowsWritten);
        }

        Assert.Equal(Enumerable.Range(0, 30), await ParquetTableReader.ReadInt32Async(path, "id"));
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i << 40), await ParquetTableReader.ReadInt64Async(path, "big"));
        Assert.Equal(Enumerable.Range(0, 30).Select(i => i / 3.0), await ParquetTableReader.ReadDoubleAsync(path, "x"));
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"n{i}"), await ParquetTableReader.ReadStringAsync(path, "name"));
    }

    [Fact]
    public async Task ParquetTableWriter_WithNoRows_WritesAReadableEmptyTable()
    {
        var path = _temp.Sub("empty.parquet");
        await using (var writer = await ParquetTableWriter.CreateAsync(path, [new ColumnSchema("id", ColumnType.I32, "id")]))
        {
            await writer.CompleteAsync();
        }

        Assert.Equal(0, await ParquetTableReader.CountRowsAsync(path));
        Assert.Empty(await ParquetTableReader.ReadInt32Async(path, "id"));
    }

    [Fact]
    public async Task ParquetTableWriter_WithUnevenColumns_RefusesToFlush()
    {
        await using var writer = await ParquetTableWriter.CreateAsync(_temp.Sub("bad.parquet"), [new("a", ColumnType.I32, "a"), new("b", ColumnType.I32, "b")]);
        writer.Ints(0).Add(1);

        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.FlushAsync());
    }

    [Fact]
    public void RawInt32Writer_WritesLittleEndianRowsAndRefusesAPartialRow()
    {
        var path = _temp.Sub("m.i32");
        using (var writer = new RawInt32Writer(path, 2))
        {
            writer.Write([1, -2, 3, 70000]);
            writer.Complete();
        }

        Assert.Equal([1, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF], File.ReadAllBytes(path)[..8]);
        Assert.Equal([1, -2, 3, 70000], RawInt32Writer.ReadAll(path));
        using var partial = new RawInt32Writer(_temp.Sub("p.i32"), 3);
        partial.Write(1);
        Assert.Throws<InvalidOperationException>(partial.Complete);
    }

    [Fact]
    public void SvgHistogram_IsWellFormedDeterministicXmlWithOneBarPerBin()
    {
        int[] values = [1, 1, 2, 3, 3, 3, 10, 250];

        var svg = SvgHistogram.Render("Likes <per> user", "likes", values, maxBins: 10);

        Assert.Equal(svg, SvgHistogram.Render("Likes <per> user", "likes", values, maxBins: 10));
        var document = XDocument.Parse(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        var bins = SvgHistogram.Bins(values, 10);
        Assert.Equal(bins.Count + 1, document.Descendants(ns + "rect").Count()); // + background
        Assert.Equal(values.Length, bins.Sum(b => b.Count));
        Assert.Equal(1, bins[0].From);
        Assert.True(bins[^1].To >= 250);
        Assert.Contains("Likes &lt;per&gt; user", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void SvgHistogram_WithoutValues_SaysSo()
    {
        var svg = SvgHistogram.Render("Empty", "x", []);

        Assert.Contains("no data", svg, StringComparison.Ordinal);
        Assert.NotNull(XDocument.Parse(svg).Root);
    }

    [Fact]
    public void DistributionSummary_UsesNearestRankQuantilesAndTheMiddleMedian()
    {
        var summary = DistributionSummary.Of([4, 1, 3, 2, 100, 5, 6, 7, 8, 9]);

        Assert.Equal(new DistributionSummary(10, 1, 3, 5.5, 14.5, 8, 9, 100, 100), summary);
        Assert.Equal(DistributionSummary.Empty, DistributionSummary.Of(ReadOnlySpan<int>.Empty));
    }
}
