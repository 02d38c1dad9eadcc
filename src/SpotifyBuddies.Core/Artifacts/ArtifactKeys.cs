using System.Text.RegularExpressions;

namespace SpotifyBuddies.Core.Artifacts;

/// <summary>
/// The stable key layout of the artifact store, and the rule every key obeys.
/// <list type="bullet">
/// <item><c>datasets/&lt;name&gt;/&lt;version&gt;/…</c> — prepared datasets and pairings (version = content hash prefix);</item>
/// <item><c>models/&lt;name&gt;/&lt;version&gt;/…</c> — model artifacts (<c>model.json</c> + safetensors);</item>
/// <item><c>runs/&lt;run_id&gt;/…</c> — files a tracked run logs;</item>
/// <item><c>checkpoints/&lt;fingerprint&gt;/…</c> — training checkpoints, keyed by what makes a run resumable
/// (dataset hash + hyperparameters + backend), so a re-run finds its own checkpoints.</item>
/// </list>
/// </summary>
public static partial class ArtifactKeys
{
    /// <summary>Longest key accepted (S3 allows 1024 bytes).</summary>
    public const int MaxLength = 1024;

    public static string Dataset(string name, string version, string file = "") => Join("datasets", name, version, file);

    public static string Model(string name, string version, string file = "") => Join("models", name, version, file);

    public static string Run(string runId, string file = "") => Join("runs", runId, file);

    public static string Checkpoint(string fingerprint, string file = "") => Join("checkpoints", fingerprint, file);

    /// <summary>Null when <paramref name="key"/> is valid, else why not.</summary>
    /// <remarks>Relative, '/'-separated, no empty, '.' or '..' segments, no backslash, no control characters,
    /// at most <see cref="MaxLength"/> characters; segments of letters, digits and <c>._-=+@,</c>.</remarks>
    public static string? Problem(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "the key is empty";
        }

        if (key.Length > MaxLength)
        {
            return $"the key is longer than {MaxLength} characters";
        }

        if (key.StartsWith('/') || key.EndsWith('/'))
        {
            return $"'{key}' must not start or end with '/'";
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == "..")
            {
                return $"'{key}' has an empty, '.' or '..' segment";
            }

            if (!SegmentPattern().IsMatch(segment))
            {
                return $"'{key}': segment '{segment}' may only use letters, digits and ._-=+@,";
            }
        }

        return null;
    }

    /// <summary>Validates a key.</summary>
    /// <exception cref="ArgumentException">The key is not valid; the message says why.</exception>
    public static string Validate(string key)
    {
        var problem = Problem(key);
        return problem is null ? key : throw new ArgumentException($"Invalid artifact key: {problem}.", nameof(key));
    }

    /// <summary>Validates a listing prefix: empty, or a valid key optionally ending with '/'.</summary>
    public static string ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0)
        {
            return prefix;
        }

        Validate(prefix.EndsWith('/') ? prefix[..^1] : prefix);
        return prefix;
    }

    private static string Join(params string[] parts) =>
        Validate(string.Join('/', parts.Where(p => p.Length > 0).Select(p => p.Trim('/'))));

    [GeneratedRegex("^[A-Za-z0-9._\\-=+@,]+$")]
    private static partial Regex SegmentPattern();
}
