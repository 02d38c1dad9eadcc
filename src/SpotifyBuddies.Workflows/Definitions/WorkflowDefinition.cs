using System.Text.Json.Nodes;

namespace SpotifyBuddies.Workflows.Definitions;

/// <summary>A position in a definition file: 1-based line and column (0, 0 when unknown).</summary>
public readonly record struct SourcePosition(int Line, int Column)
{
    public static readonly SourcePosition None = new(0, 0);

    public override string ToString() => Line > 0 ? $"{Line}:{Column}" : "?";
}

/// <summary>
/// A workflow definition (<c>apiVersion: spotifybuddies/v1</c>, <c>kind: Workflow</c>), as loaded from YAML or JSON
/// by the workflow loader. Values under <c>with</c>, parameter defaults and <c>foreach</c> are JSON nodes
/// whose strings may hold expressions <c>${{ … }}</c>.
/// </summary>
public sealed record WorkflowDefinition
{
    public const string CurrentApiVersion = "spotifybuddies/v1";
    public const string WorkflowKind = "Workflow";

    /// <summary>The file it came from (as given to the loader), for messages.</summary>
    public required string SourceFile { get; init; }

    public required string ApiVersion { get; init; }

    public SourcePosition ApiVersionPosition { get; init; }

    public required string Kind { get; init; }

    public SourcePosition KindPosition { get; init; }

    public required WorkflowMetadata Metadata { get; init; }

    public ScheduleDefinition? Schedule { get; init; }

    public ConcurrencyPolicy Concurrency { get; init; } = ConcurrencyPolicy.Forbid;

    public SourcePosition ConcurrencyPosition { get; init; }

    public IReadOnlyList<ParameterDefinition> Parameters { get; init; } = [];

    public IReadOnlyList<StepDefinition> Steps { get; init; } = [];

    /// <summary>Webhook trigger (e.g. Alertmanager), optional.</summary>
    public WebhookDefinition? Webhook { get; init; }

    public string Name => Metadata.Name;

    public StepDefinition? FindStep(string id) => Steps.FirstOrDefault(s => s.Id == id);

    public ParameterDefinition? FindParameter(string name) => Parameters.FirstOrDefault(p => p.Name == name);
}

public sealed record WorkflowMetadata
{
    /// <summary>Lower-case letters, digits and '-', e.g. <c>weekly-retrain</c>; the workflow's id in the API and CLI.</summary>
    public required string Name { get; init; }

    public string? Description { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public SourcePosition Position { get; init; }

    /// <summary>Where the <c>name</c> value is.</summary>
    public SourcePosition NamePosition { get; init; }
}

public sealed record ScheduleDefinition
{
    /// <summary>Five fields (minute hour day month weekday) or six (with seconds first).</summary>
    public required string Cron { get; init; }

    /// <summary>IANA or Windows id; UTC when not given.</summary>
    public string TimeZone { get; init; } = "UTC";

    public SourcePosition Position { get; init; }

    public SourcePosition CronPosition { get; init; }

    public SourcePosition TimeZonePosition { get; init; }
}

/// <summary>What a new run does while another run of the same workflow is active.</summary>
public enum ConcurrencyPolicy
{
    /// <summary>The new run is refused (a schedule's firing is skipped and logged).</summary>
    Forbid,

    /// <summary>Runs overlap.</summary>
    Allow,

    /// <summary>The active run is cancelled and the new one starts.</summary>
    Replace,
}

/// <summary>The JSON Schema types a parameter, step input or step output can have.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The members are JSON Schema's type names.")]
public enum DataType
{
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
}

public sealed record ParameterDefinition
{
    public required string Name { get; init; }

    public required DataType Type { get; init; }

    /// <summary>Null when the parameter has no default (then it is required).</summary>
    public JsonNode? Default { get; init; }

    public bool HasDefault { get; init; }

    public string? Description { get; init; }

    /// <summary>Where the parameter's name (its key under <c>parameters</c>) is.</summary>
    public SourcePosition Position { get; init; }

    /// <summary>Where the <c>default</c> value is.</summary>
    public SourcePosition DefaultPosition { get; init; }
}

public sealed record StepDefinition
{
    public required string Id { get; init; }

    /// <summary>Where the <c>id</c> value is.</summary>
    public SourcePosition IdPosition { get; init; }

    /// <summary>A registered step name (<c>data.prepare</c>, …).</summary>
    public required string Uses { get; init; }

    /// <summary>Inputs by name; values may contain expressions.</summary>
    public IReadOnlyList<StepInputValue> With { get; init; } = [];

    public IReadOnlyList<StepReference> Needs { get; init; } = [];

    /// <summary>A condition expression (with or without the <c>${{ }}</c> wrapper); null = always.</summary>
    public string? If { get; init; }

    public SourcePosition IfPosition { get; init; }

    public RetryPolicy? Retry { get; init; }

    public TimeSpan? Timeout { get; init; }

    public SourcePosition TimeoutPosition { get; init; }

    /// <summary>An array literal or an expression that evaluates to an array; each item runs the step once (<c>${{ item }}</c>).</summary>
    public JsonNode? Foreach { get; init; }

    public SourcePosition ForeachPosition { get; init; }

    /// <summary>At most this many foreach items run at once (null: all).</summary>
    public int? MaxParallel { get; init; }

    public SourcePosition MaxParallelPosition { get; init; }

    public SourcePosition Position { get; init; }

    public SourcePosition UsesPosition { get; init; }

    public JsonNode? Input(string name) => With.FirstOrDefault(w => w.Name == name)?.Value;
}

/// <summary>A named value (a step input under <c>with</c>, a webhook parameter mapping).</summary>
/// <param name="Position">Where the value is.</param>
public sealed record StepInputValue(string Name, JsonNode? Value, SourcePosition Position)
{
    /// <summary>Where the name (the key) is.</summary>
    public SourcePosition KeyPosition { get; init; }
}

public sealed record StepReference(string StepId, SourcePosition Position);

/// <summary>Retry on failure: <see cref="Attempts"/> in all (1 = no retry); the wait before attempt n+1 is
/// <see cref="Backoff"/> × 2^(n−1) when <see cref="Exponential"/>, else <see cref="Backoff"/>.</summary>
public sealed record RetryPolicy
{
    public int Attempts { get; init; } = 1;

    public TimeSpan Backoff { get; init; } = TimeSpan.FromSeconds(10);

    public bool Exponential { get; init; } = true;

    public SourcePosition Position { get; init; }

    public SourcePosition AttemptsPosition { get; init; }

    public SourcePosition BackoffPosition { get; init; }

    public TimeSpan DelayBefore(int nextAttempt) =>
        Exponential ? Backoff * Math.Pow(2, Math.Max(0, nextAttempt - 2)) : Backoff;
}

/// <summary>
/// A webhook that starts the workflow: <c>POST /api/webhooks/{source}</c>. For <c>alertmanager</c>, each firing
/// alert whose <c>alertname</c> is in <see cref="Alerts"/> starts one run (de-duplicated by alert fingerprint and
/// start time); <see cref="Parameters"/> may use <c>${{ alert.labels.x }}</c>.
/// </summary>
public sealed record WebhookDefinition
{
    public required string Source { get; init; }

    /// <summary>Where the <c>source</c> value is.</summary>
    public SourcePosition SourceNamePosition { get; init; }

    public IReadOnlyList<string> Alerts { get; init; } = [];

    public IReadOnlyList<StepInputValue> Parameters { get; init; } = [];

    public SourcePosition Position { get; init; }
}
