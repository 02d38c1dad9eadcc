using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Npgsql;

namespace SpotifyBuddies.Infrastructure.Hangfire;

/// <summary>Where Hangfire keeps its jobs.</summary>
public enum WorkflowJobStorage
{
    /// <summary>In this process's memory (Local profile): nothing survives a restart.</summary>
    InMemory,

    /// <summary>PostgreSQL (Production profile): durable queues shared by every server on the database.</summary>
    PostgreSql,
}

/// <summary>How <see cref="WorkflowHangfireServiceCollectionExtensions.AddWorkflowHangfire"/> builds Hangfire's job storage.</summary>
public sealed class WorkflowHangfireOptions : IValidatableObject
{
    public const string DefaultSchemaName = "hangfire";

    public WorkflowJobStorage Storage { get; set; } = WorkflowJobStorage.InMemory;

    /// <summary>PostgreSql only: an Npgsql connection string. The role needs CREATE on the database the first time
    /// (Hangfire creates its schema), or an existing schema it owns.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>PostgreSql only: the schema of Hangfire's tables.</summary>
    [RegularExpression("^(?!pg_)[a-z_][a-z0-9_]{0,62}$",
        ErrorMessage = "SchemaName must be a lower-case identifier (letters, digits, '_'; at most 63 characters; not starting with 'pg_').")]
    public string SchemaName { get; set; } = DefaultSchemaName;

    /// <summary>PostgreSql only: create or upgrade Hangfire's schema at start.</summary>
    public bool PrepareSchemaIfNecessary { get; set; } = true;

    /// <summary>PostgreSql only: how often an idle worker looks for a job (the delay between enqueue and start).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00", ErrorMessage = "QueuePollInterval must be between 50 ms and 10 minutes.")]
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// PostgreSql only: how long a fetched job stays invisible to other servers without a heartbeat from the one that
    /// fetched it. The timeout slides (the owner keeps renewing it while the job runs), so it bounds crash recovery,
    /// not job length: after a kill -9, another server fetches the job again once this much time has passed.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "InvisibilityTimeout must be between 1 second and 1 day.")]
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Storage != WorkflowJobStorage.PostgreSql)
        {
            yield break;
        }

        string? problem = null;
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            problem = "ConnectionString is required when Storage is PostgreSql.";
        }
        else
        {
            try
            {
                if (string.IsNullOrWhiteSpace(new NpgsqlConnectionStringBuilder(ConnectionString).Host))
                {
                    problem = "ConnectionString has no Host.";
                }
            }
            catch (ArgumentException ex)
            {
                // Don't echo the string: it may carry a password.
                problem = $"ConnectionString is not a valid Npgsql connection string: {ex.Message}";
            }
        }

        if (problem is not null)
        {
            yield return new ValidationResult(problem, [nameof(ConnectionString)]);
        }
    }
}

/// <summary>Source-generated validation of <see cref="WorkflowHangfireOptions"/> (DataAnnotations + <see cref="WorkflowHangfireOptions.Validate"/>).</summary>
[OptionsValidator]
public sealed partial class WorkflowHangfireOptionsValidator : IValidateOptions<WorkflowHangfireOptions>;
