using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SpotifyBuddies.Api.Composition;

/// <summary>Where the engine finds workflows and works (configuration section <c>Workflows</c>).</summary>
public sealed class WorkflowHostOptions
{
    public const string SectionName = "Workflows";

    /// <summary>
    /// The directory of workflow definitions (<c>*.yaml</c>, <c>*.yml</c>, <c>*.json</c>; the same key as the CLI's).
    /// Unset: <c>./workflows</c> when it exists, else the definitions shipped beside the host's binaries.
    /// </summary>
    public string? DefinitionsDirectory { get; set; }

    /// <summary>The definitions directory this host uses (see <see cref="DefinitionsDirectory"/>).</summary>
    public string ResolveDefinitionsDirectory() =>
        DefinitionsDirectory is { Length: > 0 } configured ? Path.GetFullPath(configured)
        : Directory.Exists("workflows") ? Path.GetFullPath("workflows")
        : Path.Combine(AppContext.BaseDirectory, "workflows");

    /// <summary>Where steps keep their working files (datasets, checkpoints) per run.</summary>
    [Required]
    public string WorkRoot { get; set; } = Path.Combine(".buddies", "work");

    /// <summary>Local profile: the SQLite run store's file.</summary>
    [Required]
    public string SqlitePath { get; set; } = Path.Combine(".buddies", "buddies.db");
}

/// <summary>The API host's Hangfire settings (configuration section <c>Hangfire</c>).</summary>
public sealed class HangfireHostOptions
{
    public const string SectionName = "Hangfire";

    /// <summary>Whether this host also works the queues (a Hangfire server). The Local profile needs it: its jobs live in this process.</summary>
    public bool Server { get; set; } = true;

    /// <summary>Workers of this host's server (default: the processor count, at least 2).</summary>
    [Range(1, 256, ErrorMessage = "WorkerCount must be between 1 and 256.")]
    public int? WorkerCount { get; set; }

    /// <summary>The queues this host's server works (default: training, dataprep, default).</summary>
    public List<string>? Queues { get; set; }

    /// <summary>Production: the PostgreSQL schema of Hangfire's tables.</summary>
    [RegularExpression("^(?!pg_)[a-z_][a-z0-9_]{0,62}$",
        ErrorMessage = "SchemaName must be a lower-case identifier (letters, digits, '_'; at most 63 characters; not starting with 'pg_').")]
    public string SchemaName { get; set; } = "hangfire";

    /// <summary>Production: how long a job fetched by a server that died stays invisible before another server takes it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "InvisibilityTimeout must be between 1 second and 1 day.")]
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Production: how often idle workers poll PostgreSQL for jobs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00", ErrorMessage = "QueuePollInterval must be between 50 ms and 10 minutes.")]
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often delayed jobs (retry back-offs) and cron schedules are checked.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "SchedulePollingInterval must be between 100 ms and 10 minutes.")]
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(5);
}

[OptionsValidator]
public sealed partial class WorkflowHostOptionsValidator : IValidateOptions<WorkflowHostOptions>;

[OptionsValidator]
public sealed partial class HangfireHostOptionsValidator : IValidateOptions<HangfireHostOptions>;
