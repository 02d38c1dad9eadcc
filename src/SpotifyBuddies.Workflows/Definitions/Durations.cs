using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SpotifyBuddies.Workflows.Definitions;

/// <summary>
/// Durations in definition files: whole numbers with a unit, <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c> or <c>d</c>,
/// alone or combined (<c>500ms</c>, <c>90s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, <c>1h30m</c>).
/// </summary>
public static partial class Durations
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text) || !Whole().IsMatch(text))
        {
            return false;
        }

        decimal milliseconds = 0;
        foreach (Match part in Part().Matches(text))
        {
            if (!decimal.TryParse(part.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
            {
                return false;
            }

            milliseconds += amount * part.Groups[2].Value switch
            {
                "ms" => 1m,
                "s" => 1_000m,
                "m" => 60_000m,
                "h" => 3_600_000m,
                _ => 86_400_000m,
            };
            if (milliseconds > (decimal)TimeSpan.MaxValue.TotalMilliseconds / 2)
            {
                return false;
            }
        }

        value = TimeSpan.FromMilliseconds((double)milliseconds);
        return true;
    }

    /// <summary>The shortest text <see cref="TryParse"/> reads back as <paramref name="value"/> (whole milliseconds).</summary>
    public static string Format(TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new StringBuilder();
        Append(text, value.Days, "d");
        Append(text, value.Hours, "h");
        Append(text, value.Minutes, "m");
        Append(text, value.Seconds, "s");
        Append(text, value.Milliseconds, "ms");
        return text.ToString();
    }

    private static void Append(StringBuilder text, int amount, string unit)
    {
        if (amount > 0)
        {
            text.Append(amount.ToString(CultureInfo.InvariantCulture)).Append(unit);
        }
    }

    [GeneratedRegex(@"^(?:[0-9]+(?:ms|s|m|h|d))+$", RegexOptions.CultureInvariant)]
    private static partial Regex Whole();

    [GeneratedRegex(@"([0-9]+)(ms|s|m|h|d)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();
}
