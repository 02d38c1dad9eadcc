namespace SpotifyBuddies.Workflows.Definitions;

/// <summary>"Did you mean …?" for misspelt keys, step names and references: the nearest names by edit distance.</summary>
public static class Suggestions
{
    /// <summary>Candidates within a small edit distance of <paramref name="name"/> (at most a third of its length, at least 2) or that it starts or is started by, nearest first.</summary>
    public static IReadOnlyList<string> Near(string name, IEnumerable<string> candidates, int max = 3)
    {
        ArgumentNullException.ThrowIfNull(name);
        var limit = Math.Max(2, name.Length / 3);
        return
        [
            .. candidates
                .Distinct(StringComparer.Ordinal)
                .Select(c => (Name: c, Distance: IsPrefix(name, c) ? Math.Min(limit, Distance(name, c)) : Distance(name, c)))
                .Where(c => c.Distance <= limit)
                .OrderBy(c => c.Distance)
                .ThenBy(c => c.Name, StringComparer.Ordinal)
                .Take(max)
                .Select(c => c.Name),
        ];
    }

    /// <summary>One name starts the other (<c>dataset</c> / <c>dataset_dir</c>), at least 3 characters of it.</summary>
    private static bool IsPrefix(string a, string b) =>
        Math.Min(a.Length, b.Length) >= 3
        && (a.StartsWith(b, StringComparison.OrdinalIgnoreCase) || b.StartsWith(a, StringComparison.OrdinalIgnoreCase));

    public static string? Closest(string name, IEnumerable<string> candidates) => Near(name, candidates, 1) is [var first, ..] ? first : null;

    /// <summary>Levenshtein distance, case-insensitive (so <c>Uses</c> suggests <c>uses</c>).</summary>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
