namespace SpotifyBuddies.Core.Tracking;

/// <summary>
/// Experiment tracking shaped like MLflow's tracking store: experiments, (nested) runs, params, metric histories,
/// tags, run search and run artifacts. Implemented by the MLflow REST adapter (Production) and the local tracker
/// (files under the local artifact root); both pass the same behavioural test suite.
/// </summary>
/// <remarks>
/// Rules both implementations enforce (MLflow's): a param, once logged, cannot change value (re-logging the same value
/// is fine); keys use letters, digits, <c>_ - . / space</c>; param values ≤ 6000 characters, tag values ≤ 8000;
/// metrics are (key, value, timestamp, step) and keep their whole history.
/// </remarks>
public interface IExperimentTracker
{
    /// <summary><c>local</c> or <c>mlflow</c>.</summary>
    string Backend { get; }

    /// <summary>Where the tracker lives (a directory or a server URL), for messages.</summary>
    string Location { get; }

    /// <summary>The experiment of that name; created when missing (a concurrent create is resolved by re-reading), restored when deleted.</summary>
    Task<Experiment> GetOrCreateExperimentAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Starts a run (status RUNNING). Nesting: <see cref="NewRun.ParentRunId"/> (tag <c>mlflow.parentRunId</c>).</summary>
    Task<TrackedRun> CreateRunAsync(NewRun run, CancellationToken cancellationToken = default);

    /// <exception cref="TrackingNotFoundException">No run has that id.</exception>
    Task<TrackedRun> GetRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Ends (or re-opens) a run: FINISHED, FAILED or KILLED set the end time.</summary>
    Task UpdateRunAsync(string runId, RunStatus status, DateTimeOffset? endTime = null, CancellationToken cancellationToken = default);

    /// <summary>Logs any number of metrics, params and tags; split into server-sized batches by the implementation.</summary>
    /// <exception cref="TrackingException">A key or value breaks the rules (e.g. a param re-logged with another value).</exception>
    Task LogBatchAsync(
        string runId,
        IReadOnlyList<MetricPoint>? metrics = null,
        IReadOnlyList<KeyValuePair<string, string>>? parameters = null,
        IReadOnlyList<KeyValuePair<string, string>>? tags = null,
        CancellationToken cancellationToken = default);

    /// <summary>Every recorded value of one metric, in (step, timestamp) order.</summary>
    Task<IReadOnlyList<MetricPoint>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken = default);

    /// <summary>Runs of the given experiments matching an MLflow filter string (subset: <c>metrics.k</c>,
    /// <c>params.k</c>, <c>tags.k</c>, <c>attributes.status</c>/<c>run_name</c> with = != &lt; &lt;= &gt; &gt;=, joined by AND),
    /// ordered (e.g. <c>metrics.val_mrr DESC</c>, default start time descending), one page at a time.</summary>
    Task<RunPage> SearchRunsAsync(RunQuery query, CancellationToken cancellationToken = default);

    /// <summary>Uploads a local file or a whole directory as the run's artifact(s) under <paramref name="artifactPath"/> ("" = root).</summary>
    Task LogArtifactsAsync(string runId, string localPath, string artifactPath = "", CancellationToken cancellationToken = default);

    /// <summary>The run's artifacts directly under <paramref name="path"/> ("" = root).</summary>
    Task<IReadOnlyList<RunArtifact>> ListArtifactsAsync(string runId, string path = "", CancellationToken cancellationToken = default);

    /// <summary>Downloads one artifact file, or a directory recursively, to <paramref name="localPath"/>.</summary>
    /// <exception cref="TrackingNotFoundException">No artifact at that path.</exception>
    Task DownloadArtifactsAsync(string runId, string artifactPath, string localPath, CancellationToken cancellationToken = default);
}

public sealed record Experiment(string Id, string Name, string ArtifactLocation, string LifecycleStage);

public enum RunStatus
{
    Running,
    Scheduled,
    Finished,
    Failed,
    Killed,
}

/// <summary>A run to create.</summary>
public sealed record NewRun
{
    public required string ExperimentId { get; init; }

    /// <summary>Tag <c>mlflow.runName</c> (and the run_name attribute).</summary>
    public string? RunName { get; init; }

    /// <summary>Tag <c>mlflow.parentRunId</c>: makes this a nested (child) run.</summary>
    public string? ParentRunId { get; init; }

    public DateTimeOffset? StartTime { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>A run as the tracker stores it: its info and its latest data.</summary>
public sealed record TrackedRun
{
    public required string RunId { get; init; }

    public required string ExperimentId { get; init; }

    public string? RunName { get; init; }

    public required RunStatus Status { get; init; }

    public required DateTimeOffset StartTime { get; init; }

    public DateTimeOffset? EndTime { get; init; }

    /// <summary>Root of the run's artifacts (e.g. <c>mlflow-artifacts:/1/abc/artifacts</c> or a file URI).</summary>
    public required string ArtifactUri { get; init; }

    /// <summary>The latest value of each metric.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public string? ParentRunId => Tags.TryGetValue(TrackingTags.ParentRunId, out var parent) ? parent : null;
}

/// <param name="Step">The epoch (or other step counter) the value belongs to.</param>
public sealed record MetricPoint(string Key, double Value, DateTimeOffset Timestamp, long Step);

public sealed record RunQuery
{
    public required IReadOnlyList<string> ExperimentIds { get; init; }

    public string Filter { get; init; } = "";

    public IReadOnlyList<string> OrderBy { get; init; } = [];

    public int MaxResults { get; init; } = 100;

    public string? PageToken { get; init; }
}

/// <param name="NextPageToken">Null on the last page.</param>
public sealed record RunPage(IReadOnlyList<TrackedRun> Runs, string? NextPageToken);

/// <param name="Path">Relative to the run's artifact root.</param>
/// <param name="Length">Null for directories.</param>
public sealed record RunArtifact(string Path, bool IsDirectory, long? Length);

/// <summary>Tag keys with a meaning to MLflow's UI and to us.</summary>
public static class TrackingTags
{
    public const string RunName = "mlflow.runName";
    public const string ParentRunId = "mlflow.parentRunId";
    public const string Source = "mlflow.source.name";
    public const string SourceType = "mlflow.source.type";
    public const string User = "mlflow.user";
    public const string GitCommit = "mlflow.source.git.commit";
    public const string DatasetHash = "buddies.dataset_hash";
    public const string CodeVersion = "buddies.code_version";
    public const string Backend = "buddies.backend";
    public const string Host = "buddies.host";
    public const string Fingerprint = "buddies.fingerprint";
}
