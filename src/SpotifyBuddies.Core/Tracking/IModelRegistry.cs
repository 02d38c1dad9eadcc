namespace SpotifyBuddies.Core.Tracking;

/// <summary>
/// A model registry with MLflow's semantics: registered models, numbered versions created from a run's artifact
/// path, and aliases (<see cref="ModelAliases"/>) that point at exactly one version each.
/// </summary>
public interface IModelRegistry
{
    /// <summary>The registered model of that name, created when missing.</summary>
    Task<RegisteredModel> GetOrCreateModelAsync(string name, string? description = null, CancellationToken cancellationToken = default);

    /// <summary>All registered models.</summary>
    Task<IReadOnlyList<RegisteredModel>> ListModelsAsync(CancellationToken cancellationToken = default);

    /// <summary>A new version (1, 2, …) of <paramref name="name"/> whose files are at <paramref name="source"/>
    /// (e.g. <c>runs:/&lt;run_id&gt;/model</c> or the artifact URI of the run's model directory).</summary>
    /// <exception cref="TrackingNotFoundException">No registered model has that name.</exception>
    Task<ModelVersion> CreateVersionAsync(
        string name,
        string source,
        string? runId,
        IReadOnlyDictionary<string, string>? tags = null,
        CancellationToken cancellationToken = default);

    /// <summary>Every version of the model, newest first.</summary>
    Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string name, CancellationToken cancellationToken = default);

    /// <exception cref="TrackingNotFoundException">No such model or version.</exception>
    Task<ModelVersion> GetVersionAsync(string name, string version, CancellationToken cancellationToken = default);

    /// <summary>Points <paramref name="aliasName"/> at <paramref name="version"/> (moving it from any other version).</summary>
    Task SetAliasAsync(string name, string aliasName, string version, CancellationToken cancellationToken = default);

    /// <summary>Removes an alias; removing a missing alias is not an error.</summary>
    Task DeleteAliasAsync(string name, string aliasName, CancellationToken cancellationToken = default);

    /// <summary>The version the alias points at, or null when the alias is not set.</summary>
    Task<ModelVersion?> GetVersionByAliasAsync(string name, string aliasName, CancellationToken cancellationToken = default);
}

public sealed record RegisteredModel(
    string Name,
    string? Description,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyDictionary<string, string> Aliases);

public sealed record ModelVersion
{
    public required string Name { get; init; }

    public required string Version { get; init; }

    public required string Source { get; init; }

    public string? RunId { get; init; }

    /// <summary>MLflow's status, e.g. READY.</summary>
    public string Status { get; init; } = "READY";

    public required DateTimeOffset CreatedAt { get; init; }

    public IReadOnlyList<string> Aliases { get; init; } = [];

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>The aliases the platform uses.</summary>
public static class ModelAliases
{
    public const string Champion = "champion";
    public const string Canary = "canary";
    public const string Staging = "staging";
}

/// <summary>The tracking backend refused a request; <see cref="ErrorCode"/> is MLflow's (e.g. INVALID_PARAMETER_VALUE).</summary>
public class TrackingException : Exception
{
    public TrackingException(string errorCode, string message)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    public TrackingException()
    {
        ErrorCode = "INTERNAL_ERROR";
    }

    public TrackingException(string message)
        : base(message)
    {
        ErrorCode = "INTERNAL_ERROR";
    }

    public TrackingException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = "INTERNAL_ERROR";
    }

    public string ErrorCode { get; }
}

/// <summary>RESOURCE_DOES_NOT_EXIST: an unknown experiment, run, model, version or artifact.</summary>
public sealed class TrackingNotFoundException : TrackingException
{
    public TrackingNotFoundException(string message)
        : base("RESOURCE_DOES_NOT_EXIST", message)
    {
    }

    public TrackingNotFoundException()
        : base("RESOURCE_DOES_NOT_EXIST", "Not found.")
    {
    }

    public TrackingNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
