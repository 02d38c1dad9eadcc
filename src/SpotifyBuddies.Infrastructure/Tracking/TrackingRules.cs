using System.Text.RegularExpressions;
using SpotifyBuddies.Core.Artifacts;
using SpotifyBuddies.Core.Tracking;

namespace SpotifyBuddies.Infrastructure.Tracking;

/// <summary>
/// MLflow's validation rules, enforced the same way by the local tracker and (before anything is sent) by the MLflow
/// client, so both backends refuse the same input with <see cref="TrackingException"/> (INVALID_PARAMETER_VALUE).
/// </summary>
/// <remarks>
/// Sources: mlflow/utils/validation.py and the recorded servers (2.12.2, 2.17.2). Where the servers differ we take the
/// stricter rule, so a batch accepted here is accepted by both: keys use letters, digits, <c>_ - . / space</c> (2.17.2
/// also accepts ':', 2.12.2 refuses it); over-long values are refused here, where the servers would truncate silently.
/// </remarks>
public static partial class TrackingRules
{
    public const string InvalidParameterValue = "INVALID_PARAMETER_VALUE";

    public const int MaxKeyLength = 250;
    public const int MaxParamValueLength = 6000;
    public const int MaxTagValueLength = 8000;
    public const int MaxExperimentNameLength = 500;
    public const int MaxAliasLength = 255;

    /// <summary>Per log-batch request (service.proto LogBatch; validation.py).</summary>
    public const int MaxMetricsPerBatch = 1000;

    public const int MaxParamsPerBatch = 100;
    public const int MaxTagsPerBatch = 100;
    public const int MaxEntitiesPerBatch = 1000;

    /// <summary>MAX_BATCH_LOG_REQUEST_SIZE: the JSON body of one log-batch request, in bytes.</summary>
    public const int MaxBatchRequestBytes = 1_000_000;

    /// <summary>Largest max_results MLflow's search endpoints accept.</summary>
    public const int MaxSearchResults = 50_000;

    /// <summary>Throws unless <paramref name="key"/> is a valid metric, param or tag key.</summary>
    /// <param name="kind">"metric", "param" or "tag", for the message.</param>
    public static void ValidateKey(string kind, string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw Invalid($"Invalid {kind} key: the key is empty.");
        }

        if (key.Length > MaxKeyLength)
        {
            throw Invalid($"Invalid {kind} key '{Abbreviate(key)}': {key.Length} characters, at most {MaxKeyLength} are allowed.");
        }

        if (!KeyPattern().IsMatch(key))
        {
            throw Invalid($"Invalid {kind} key '{key}': names may only contain letters, digits, underscores (_), dashes (-), periods (.), spaces ( ) and slashes (/).");
        }

        if (key.StartsWith('/') || key.Contains("..", StringComparison.Ordinal) || key.Split('/').Any(s => s is "." or ""))
        {
            throw Invalid($"Invalid {kind} key '{key}': it must be a relative path without empty, '.' or '..' parts.");
        }
    }

    public static void ValidateParamValue(string key, string? value)
    {
        if (value is null)
        {
            throw Invalid($"Param '{key}' has no value.");
        }

        if (value.Length > MaxParamValueLength)
        {
            throw Invalid($"Param '{key}' has a value of {value.Length} characters; at most {MaxParamValueLength} are allowed (MLflow would truncate it silently).");
        }
    }

    public static void ValidateTagValue(string key, string? value, int maxLength = MaxTagValueLength)
    {
        if (value is null)
        {
            throw Invalid($"Tag '{key}' has no value.");
        }

        if (value.Length > maxLength)
        {
            throw Invalid($"Tag '{key}' has a value of {value.Length} characters; at most {maxLength} are allowed (MLflow would truncate it silently).");
        }
    }

    public static void ValidateMetric(MetricPoint metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ValidateKey("metric", metric.Key);
        if (metric.Timestamp.ToUnixTimeMilliseconds() < 0)
        {
            throw Invalid($"Metric '{metric.Key}' has a timestamp before 1970 ({metric.Timestamp:O}).");
        }
    }

    public static void ValidateExperimentName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw Invalid("The experiment name is empty.");
        }

        if (name.Length > MaxExperimentNameLength)
        {
            throw Invalid($"The experiment name '{Abbreviate(name)}' has {name.Length} characters; at most {MaxExperimentNameLength} are allowed.");
        }
    }

    public static void ValidateModelName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw Invalid("The registered model name is empty.");
        }
    }

    /// <summary>MLflow's alias rule: <c>^[\w\-]*$</c>, at most 255 characters, not <c>latest</c> nor <c>v&lt;digits&gt;</c>.</summary>
    public static void ValidateAlias(string? alias)
    {
        if (string.IsNullOrEmpty(alias))
        {
            throw Invalid("The alias is empty.");
        }

        if (alias.Length > MaxAliasLength || !AliasPattern().IsMatch(alias))
        {
            throw Invalid($"Invalid alias '{Abbreviate(alias)}': at most {MaxAliasLength} letters, digits, '_' or '-'.");
        }

        if (string.Equals(alias, "latest", StringComparison.OrdinalIgnoreCase) || ReservedVersionAliasPattern().IsMatch(alias))
        {
            throw Invalid($"The alias '{alias}' is reserved ('latest' and 'v<number>' name versions).");
        }
    }

    public static void ValidateVersion(string? version)
    {
        if (string.IsNullOrEmpty(version) || !long.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) || number < 1)
        {
            throw Invalid($"Invalid model version '{version}': a positive integer is expected.");
        }
    }

    /// <summary>A relative artifact path ("" = the run's root) in the artifact store's key syntax.</summary>
    public static string ValidateArtifactPath(string? path)
    {
        var trimmed = (path ?? string.Empty).Replace('\\', '/').Trim('/');
        if (trimmed.Length == 0)
        {
            return string.Empty;
        }

        var problem = ArtifactKeys.Problem(trimmed);
        return problem is null ? trimmed : throw Invalid($"Invalid artifact path: {problem}.");
    }

    /// <summary>Checks every item of a log-batch request and removes exact duplicate params.</summary>
    /// <returns>The params to log; a key logged twice in one call with the same value appears once.</returns>
    /// <exception cref="TrackingException">Any key or value breaks the rules, or one param key has two values.</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> ValidateBatch(
        IReadOnlyList<MetricPoint> metrics,
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        IReadOnlyList<KeyValuePair<string, string>> tags,
        int maxTagValueLength = MaxTagValueLength)
    {
        foreach (var metric in metrics)
        {
            ValidateMetric(metric);
        }

        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var distinct = new List<KeyValuePair<string, string>>(parameters.Count);
        foreach (var (key, value) in parameters)
        {
            ValidateKey("param", key);
            ValidateParamValue(key, value);
            if (seen.TryGetValue(key, out var earlier))
            {
                if (!string.Equals(earlier, value, StringComparison.Ordinal))
                {
                    throw Invalid($"Param '{key}' appears twice in one batch with different values ('{Abbreviate(earlier)}' and '{Abbreviate(value)}').");
                }

                continue;
            }

            seen.Add(key, value);
            distinct.Add(new(key, value));
        }

        foreach (var (key, value) in tags)
        {
            ValidateKey("tag", key);
            ValidateTagValue(key, value, maxTagValueLength);
        }

        return distinct;
    }

    /// <summary>The error MLflow gives when a logged param would change (same wording, for both backends).</summary>
    public static TrackingException ParamChanged(string runId, string key, string oldValue, string newValue) =>
        Invalid($"Changing param values is not allowed. Param with key='{key}' was already logged with value='{Abbreviate(oldValue)}' for run ID='{runId}'. Attempted logging new value '{Abbreviate(newValue)}'.");

    public static TrackingException Invalid(string message) => new(InvalidParameterValue, message);

    private static string Abbreviate(string value) => value.Length <= 60 ? value : string.Concat(value.AsSpan(0, 57), "...");

    [GeneratedRegex(@"^[A-Za-z0-9_\-. /]+$")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"^[\w\-]+$")]
    private static partial Regex AliasPattern();

    [GeneratedRegex(@"^[vV]\d+$")]
    private static partial Regex ReservedVersionAliasPattern();
}
