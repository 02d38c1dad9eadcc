using System.Globalization;
using System.Text;

namespace SpotifyBuddies.Data.Reports;

/// <summary>Renders report rows as GitHub-flavoured Markdown and formats their values, for every stats report.</summary>
public static class ReportMarkdown
{
    /// <summary>A titled table of rows, followed by the report's images.</summary>
    public static string Render(string title, IEnumerable<ReportRow> rows, IEnumerable<string> images)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(images);
        var markdown = new StringBuilder();
        markdown.Append(CultureInfo.InvariantCulture, $"# {title}\n\n");
        markdown.Append("Distributions are min / median / mean / p90 / max.\n\n");
        markdown.Append("| section | measure | value |\n|---|---|---:|\n");
        foreach (var row in rows)
        {
            markdown.Append(CultureInfo.InvariantCulture, $"| {Cell(row.Section)} | {Cell(row.Measure)} | {Cell(row.Value)} |\n");
        }

        foreach (var image in images)
        {
            markdown.Append(CultureInfo.InvariantCulture, $"\n![{image}]({image})\n");
        }

        return markdown.ToString();
    }

    /// <summary>A count with thousands separators.</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A share as a percentage with two decimals.</summary>
    public static string Share(double share) => share.ToString("0.00%", CultureInfo.InvariantCulture);

    /// <summary>min / median / mean / p90 / max, or "-" when empty.</summary>
    public static string Distribution(DistributionSummary d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return d.Count == 0
            ? "-"
            : string.Create(CultureInfo.InvariantCulture, $"{d.Min:0.##} / {d.Median:0.##} / {d.Mean:0.##} / {d.P90:0.##} / {d.Max:0.##}");
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
