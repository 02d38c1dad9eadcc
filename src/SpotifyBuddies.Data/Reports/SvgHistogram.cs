using System.Globalization;
using System.Net;
using System.Text;

namespace SpotifyBuddies.Data.Reports;

/// <summary>
/// Renders a histogram of non-negative integer counts as a self-contained SVG (no scripts, no fonts to load),
/// byte-identical for the same input. Bins are integer ranges of equal width, at most <c>maxBins</c> of them;
/// the y axis is linear, with the count of each bin in a tooltip.
/// </summary>
public static class SvgHistogram
{
    private const int Width = 720;
    private const int Height = 360;
    private const int Left = 64;
    private const int Right = 16;
    private const int Top = 40;
    private const int Bottom = 56;
    private static readonly int[] TickMultiples = [1, 2, 5, 10];

    /// <summary>One bin: values in [<see cref="From"/>, <see cref="To"/>] and how many there are.</summary>
    public sealed record Bin(long From, long To, long Count);

    /// <summary>Equal-width integer bins covering min..max of <paramref name="values"/> (empty for no values).</summary>
    public static IReadOnlyList<Bin> Bins(ReadOnlySpan<int> values, int maxBins = 40)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBins);
        if (values.IsEmpty)
        {
            return [];
        }

        long min = long.MaxValue, max = long.MinValue;
        foreach (var value in values)
        {
            min = Math.Min(min, value);
            max = Math.Max(max, value);
        }

        var width = Math.Max(1, (max - min + maxBins) / maxBins); // ceil((max - min + 1) / maxBins)
        var count = (int)(((max - min) / width) + 1);
        var counts = new long[count];
        foreach (var value in values)
        {
            counts[(value - min) / width]++;
        }

        var bins = new Bin[count];
        for (var i = 0; i < count; i++)
        {
            var from = min + (i * width);
            bins[i] = new Bin(from, from + width - 1, counts[i]);
        }

        return bins;
    }

    /// <summary>The SVG document for <paramref name="values"/>.</summary>
    public static string Render(string title, string xLabel, ReadOnlySpan<int> values, int maxBins = 40)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(xLabel);
        var bins = Bins(values, maxBins);
        var svg = new StringBuilder();
        Append(svg, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        Append(svg, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"#ffffff\"/>\n");
        Append(svg, $"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{Escape(title)}</text>\n");

        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        var axisY = Top + plotHeight;
        Append(svg, $"<line x1=\"{Left}\" y1=\"{axisY}\" x2=\"{Width - Right}\" y2=\"{axisY}\" stroke=\"#333333\"/>\n");
        Append(svg, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{axisY}\" stroke=\"#333333\"/>\n");
        Append(svg, $"<text x=\"{Left + (plotWidth / 2)}\" y=\"{Height - 12}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n");
        Append(svg, $"<text x=\"16\" y=\"{Top + (plotHeight / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {Top + (plotHeight / 2)})\">count</text>\n");

        if (bins.Count == 0)
        {
            Append(svg, $"<text x=\"{Left + (plotWidth / 2)}\" y=\"{Top + (plotHeight / 2)}\" text-anchor=\"middle\" fill=\"#777777\">no data</text>\n");
            svg.Append("</svg>\n");
            return svg.ToString();
        }

        var peak = bins.Max(b => b.Count);
        foreach (var tick in Ticks(peak))
        {
            var y = axisY - (tick * (double)plotHeight / peak);
            Append(svg, $"<line x1=\"{Left - 4}\" y1=\"{F(y)}\" x2=\"{Left}\" y2=\"{F(y)}\" stroke=\"#333333\"/>\n");
            Append(svg, $"<text x=\"{Left - 6}\" y=\"{F(y + 4)}\" text-anchor=\"end\">{tick}</text>\n");
        }

        var barWidth = plotWidth / (double)bins.Count;
        for (var i = 0; i < bins.Count; i++)
        {
            var bin = bins[i];
            var barHeight = bin.Count * (double)plotHeight / peak;
            var x = Left + (i * barWidth);
            var label = bin.From == bin.To ? bin.From.ToString(CultureInfo.InvariantCulture) : $"{bin.From}–{bin.To}";
            Append(svg, $"<rect x=\"{F(x + 1)}\" y=\"{F(axisY - barHeight)}\" width=\"{F(Math.Max(1, barWidth - 2))}\" height=\"{F(barHeight)}\" fill=\"#1db954\"><title>{Escape(label)}: {bin.Count}</title></rect>\n");
        }

        // First, middle and last bin starts under the axis.
        foreach (var i in new SortedSet<int> { 0, bins.Count / 2, bins.Count - 1 })
        {
            var x = Left + ((i + 0.5) * barWidth);
            Append(svg, $"<text x=\"{F(x)}\" y=\"{axisY + 16}\" text-anchor=\"middle\">{bins[i].From}</text>\n");
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    // About five round tick values from 0 to peak.
    private static IEnumerable<long> Ticks(long peak)
    {
        var raw = Math.Max(1, peak / 5.0);
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = (long)Math.Max(1, TickMultiples.Select(m => m * magnitude).First(s => s >= raw));
        for (long tick = 0; tick <= peak; tick += step)
        {
            yield return tick;
        }
    }

    private static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    private static void Append(StringBuilder builder, FormattableString text) => builder.Append(text.ToString(CultureInfo.InvariantCulture));
}
