using System.Buffers.Binary;
using System.Data;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Infrastructure.Postgres;

namespace SpotifyBuddies.Infrastructure.Workflows;

/// <summary>
/// <see cref="IWorkflowRunStore"/> on PostgreSQL (Production): tables <c>workflow_runs</c>,
/// <c>workflow_step_executions</c> and <c>workflow_trigger_claims</c> in the configured schema, created by migration
/// <c>0002_workflow_runs.sql</c>. Every update is one compare-and-set statement; locks are session-level advisory
/// locks, so they exclude across processes and hosts.
/// </summary>
public sealed class PostgresWorkflowRunStore : IWorkflowRunStore
{
    private const string RunColumns =
        "id, workflow, definition_hash, definition_source, definition_file, parameters, trigger_kind, trigger_actor, " +
        "trigger_detail, trigger_dedup_key, status, created_at, started_at, finished_at, error";

    private const string StepColumns =
        "run_id, step_id, item, status, attempt, dispatch_id, job_id, queue, item_count, inputs, outputs, error, logs, " +
        "queued_at, started_at, finished_at";

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresMigrator _migrator;
    private readonly string _runs;
    private readonly string _steps;
    private readonly string _claims;
    private readonly string _lockPrefix;

    public PostgresWorkflowRunStore(NpgsqlDataSource dataSource, IOptions<PostgresOptions> options, PostgresMigrator migrator)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(migrator);

        _dataSource = dataSource;
        _migrator = migrator;
        var schema = QuoteIdentifier(options.Value.SchemaName);
        _runs = $"{schema}.workflow_runs";
        _steps = $"{schema}.workflow_step_executions";
        _claims = $"{schema}.workflow_trigger_claims";
        // Per schema, so two deployments sharing a database (or parallel test schemas) never block each other.
        _lockPrefix = $"SpotifyBuddies.WorkflowRunStore:{options.Value.SchemaName}:";
    }

    /// <summary>Applies pending migrations (this store's tables are migration 0002); idempotent.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default) =>
        await _migrator.MigrateAsync(cancellationToken);

    public async Task CreateRunAsync(WorkflowRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        StoreValues.RequireJson(run.ParametersJson, "WorkflowRun.ParametersJson");

        await using var command = _dataSource.CreateCommand($"""
            INSERT INTO {_runs} ({RunColumns})
            VALUES (@id, @workflow, @definition_hash, @definition_source, @definition_file, @parameters, @trigger_kind,
                    @trigger_actor, @trigger_detail, @trigger_dedup_key, @status, @created_at, @started_at, @finished_at, @error)
            ON CONFLICT (id) DO NOTHING
            """);
        Add(command, "id", NpgsqlDbType.Uuid, run.Id);
        Add(command, "workflow", NpgsqlDbType.Text, run.Workflow);
        Add(command, "definition_hash", NpgsqlDbType.Text, run.DefinitionHash);
        Add(command, "definition_source", NpgsqlDbType.Text, run.DefinitionSource);
        Add(command, "definition_file", NpgsqlDbType.Text, run.DefinitionFile);
        Add(command, "parameters", NpgsqlDbType.Jsonb, run.ParametersJson);
        Add(command, "trigger_kind", NpgsqlDbType.Text, run.Trigger.Kind);
        Add(command, "trigger_actor", NpgsqlDbType.Text, run.Trigger.Actor);
        Add(command, "trigger_detail", NpgsqlDbType.Text, run.Trigger.Detail);
        Add(command, "trigger_dedup_key", NpgsqlDbType.Text, run.Trigger.DedupKey);
        Add(command, "status", NpgsqlDbType.Text, StoreValues.Name(run.Status));
        Add(command, "created_at", NpgsqlDbType.TimestampTz, StoreValues.Microseconds(run.CreatedAt));
        Add(command, "started_at", NpgsqlDbType.TimestampTz, StoreValues.Microseconds(run.StartedAt));
        Add(command, "finished_at", NpgsqlDbType.TimestampTz, StoreValues.Microseconds(run.FinishedAt));
        Add(command, "error", NpgsqlDbType.Text, run.Error);

        // ON CONFLICT rather than catching the key violation: the server logs no error for an expected outcome.
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw new InvalidOperationException($"A workflow run with id {run.Id} exists already.");
        }
    }

    public async Task<WorkflowRun?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand($"SELECT {RunColumns} FROM {_runs} WHERE id = @id");
        Add(command, "id", NpgsqlDbType.Uuid, runId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadRun(reader) : null;
    }

    public async Task<IReadOnlyList<WorkflowRun>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        StoreValues.ValidateLimit(query);

        var statuses = query.Statuses is { Count: > 0 } ? query.Statuses.Distinct().Select(StoreValues.Name).ToArray() : null;
        await using var command = _dataSource.CreateCommand($"""
            SELECT {RunColumns} FROM {_runs}
            WHERE (@workflow::text IS NULL OR workflow = @workflow)
              AND (@statuses::text[] IS NULL OR status = ANY (@statuses))
            ORDER BY created_at DESC, id DESC
            LIMIT @limit
            """);
        Add(command, "workflow", NpgsqlDbType.Text, query.Workflow);
        Add(command, "statuses", NpgsqlDbType.Array | NpgsqlDbType.Text, statuses);
        Add(command, "limit", NpgsqlDbType.Integer, query.Limit);

        var runs = new List<WorkflowRun>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            runs.Add(ReadRun(reader));
        }

        return runs;
    }

    public async Task<bool> TryUpdateRunStatusAsync(
        Guid runId,
        IReadOnlyCollection<RunStatus> expected,
        RunStatus status,
        DateTimeOffset at,
        string? failure = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var running = status == RunStatus.Running;

        // started_at: set on the first move to Running. finished_at: set on a terminal status, cleared on a move back
        // to Running. error: the failure when given; cleared on a move back to Running.
        await using var command = _dataSource.CreateCommand($"""
            UPDATE {_runs}
            SET status = @status,
                started_at = CASE WHEN @running AND started_at IS NULL THEN @at ELSE started_at END,
                finished_at = CASE WHEN @terminal THEN @at WHEN @running THEN NULL ELSE finished_at END,
                error = CASE WHEN @failure::text IS NOT NULL OR @running THEN @failure ELSE error END
            WHERE id = @id AND status = ANY (@expected)
            """);
        Add(command, "id", NpgsqlDbType.Uuid, runId);
        Add(command, "expected", NpgsqlDbType.Array | NpgsqlDbType.Text, StoreValues.Names(expected));
        Add(command, "status", NpgsqlDbType.Text, StoreValues.Name(status));
        Add(command, "running", NpgsqlDbType.Boolean, running);
        Add(command, "terminal", NpgsqlDbType.Boolean, status.IsTerminal());
        Add(command, "at", NpgsqlDbType.TimestampTz, StoreValues.Microseconds(at));
        Add(command, "failure", NpgsqlDbType.Text, failure);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<StepExecution>> GetStepsAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        // step_id has collation "C": byte order, like SQLite's.
        await using var command = _dataSource.CreateCommand(
            $"SELECT {StepColumns} FROM {_steps} WHERE run_id = @run_id ORDER BY step_id, item");
        Add(command, "run_id", NpgsqlDbType.Uuid, runId);

        var steps = new List<StepExecution>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            steps.Add(ReadStep(reader));
        }

        return steps;
    }

    public async Task<StepExecution?> GetStepAsync(Guid runId, string stepId, int item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stepId);
        await using var command = _dataSource.CreateCommand(
            $"SELECT {StepColumns} FROM {_steps} WHERE run_id = @run_id AND step_id = @step_id AND item = @item");
        AddKey(command, runId, stepId, item);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadStep(reader) : null;
    }

    public async Task<bool> TryInsertStepAsync(StepExecution execution, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(execution);
        RequireStepJson(execution);

        await using var command = _dataSource.CreateCommand($"""
            INSERT INTO {_steps} ({StepColumns})
            VALUES (@run_id, @step_id, @item, @status, @attempt, @dispatch_id, @job_id, @queue, @item_count, @inputs, @outputs,
                    @error, @logs, @queued_at, @started_at, @finished_at)
            ON CONFLICT (run_id, step_id, item) DO NOTHING
            """);
        AddKey(command, execution.RunId, execution.StepId, execution.Item);
        AddStepValues(command, execution);
        Add(command, "logs", NpgsqlDbType.Text, execution.Logs ?? "");
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> TryUpdateStepAsync(
        StepExecution replacement,
        StepStatus expectedStatus,
        Guid? expectedDispatch,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        RequireStepJson(replacement);

        await using var command = _dataSource.CreateCommand($"""
            UPDATE {_steps}
            SET status = @status, attempt = @attempt, dispatch_id = @dispatch_id, job_id = @job_id, queue = @queue,
                item_count = @item_count, inputs = @inputs, outputs = @outputs, error = @error,
                queued_at = @queued_at, started_at = @started_at, finished_at = @finished_at
            WHERE run_id = @run_id AND step_id = @step_id AND item = @item
              AND status = @expected_status AND dispatch_id IS NOT DISTINCT FROM @expected_dispatch
            """);
        AddKey(command, replacement.RunId, replacement.StepId, replacement.Item);
        AddStepValues(command, replacement);
        Add(command, "expected_status", NpgsqlDbType.Text, StoreValues.Name(expectedStatus));
        Add(command, "expected_dispatch", NpgsqlDbType.Uuid, expectedDispatch);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <exception cref="InvalidOperationException">No execution row (run, step, item) exists.</exception>
    public async Task AppendStepLogAsync(Guid runId, string stepId, int item, string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stepId);
        ArgumentNullException.ThrowIfNull(text);

        await using var command = _dataSource.CreateCommand(
            $"UPDATE {_steps} SET logs = logs || @text WHERE run_id = @run_id AND step_id = @step_id AND item = @item");
        AddKey(command, runId, stepId, item);
        Add(command, "text", NpgsqlDbType.Text, text);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw StoreValues.NoStepRow(runId, stepId, item);
        }
    }

    public async Task<Guid?> TryClaimTriggerAsync(string dedupKey, Guid runId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(dedupKey);

        // Two statements, not one: a statement's snapshot may miss a claim committed while it waited on the
        // conflicting insert; the second statement takes a new snapshot and sees it. Claims are never deleted.
        await using (var insert = _dataSource.CreateCommand(
            $"INSERT INTO {_claims} (dedup_key, run_id, claimed_at) VALUES (@key, @run_id, @at) ON CONFLICT (dedup_key) DO NOTHING"))
        {
            Add(insert, "key", NpgsqlDbType.Text, dedupKey);
            Add(insert, "run_id", NpgsqlDbType.Uuid, runId);
            Add(insert, "at", NpgsqlDbType.TimestampTz, StoreValues.Microseconds(at));
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                return null;
            }
        }

        await using var select = _dataSource.CreateCommand($"SELECT run_id FROM {_claims} WHERE dedup_key = @key");
        Add(select, "key", NpgsqlDbType.Text, dedupKey);
        return await select.ExecuteScalarAsync(cancellationToken) as Guid?
            ?? throw new InvalidOperationException($"Trigger claim '{dedupKey}' conflicted on insert but cannot be read back.");
    }

    /// <summary>
    /// Waits (cancellably) for <c>pg_advisory_lock</c> on a 64-bit hash of the schema and <paramref name="key"/>, on
    /// a connection of its own that stays open, holding the lock, until the handle is disposed.
    /// </summary>
    public async Task<IAsyncDisposable> AcquireLockAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var lockKey = LockKey(_lockPrefix + key);

        var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            // No command timeout: the wait may be long; the token ends it (Npgsql cancels the statement on the server).
            await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection) { CommandTimeout = 0 };
            Add(command, "key", NpgsqlDbType.Bigint, lockKey);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new AdvisoryLock(connection, lockKey);
        }
        catch
        {
            await ReleaseAllAsync(connection);
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A stable 64-bit advisory-lock key: the first 8 bytes of the SHA-256 of the text.</summary>
    internal static long LockKey(string text) =>
        BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// Releases every session-level advisory lock of <paramref name="connection"/> before it goes back to the pool.
    /// The connection is dedicated to one lock handle, so that lock is the only one it can hold; a cancelled wait
    /// may or may not have been granted it, and this covers both.
    /// </summary>
    private static async Task ReleaseAllAsync(NpgsqlConnection connection)
    {
        if (connection.FullState != ConnectionState.Open)
        {
            return; // Broken: the session, and any lock it held, is gone.
        }

        try
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", connection);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (NpgsqlException)
        {
            // The connection broke while unlocking: the server ended the session and released its locks.
        }
    }

    private static void RequireStepJson(StepExecution execution)
    {
        ArgumentNullException.ThrowIfNull(execution.StepId);
        StoreValues.RequireJson(execution.InputsJson, "StepExecution.InputsJson");
        StoreValues.RequireJson(execution.OutputsJson, "StepExecution.OutputsJson");
    }

    private static void AddKey(NpgsqlCommand command, Guid runId, string stepId, int item)
    {
        Add(command, "run_id", NpgsqlDbType.Uuid, runId);
        Add(command, "step_id", NpgsqlDbType.Text, stepId);
        Add(command, "item", NpgsqlDbType.Integer, item);
    }

    private static void AddStepValues(NpgsqlCommand command, StepExecution execution)
    {
        Add(command, "status", NpgsqlDbType.Text, StoreValues.Name(execution.Status));
        Add(command, "attempt", NpgsqlDbType.Integer, execution.Attempt);
        Add(command, "dispatch_id", NpgsqlDbType.Uuid, execution.DispatchId);
        Add(command, "job_id", NpgsqlDbType.Text, execution.JobId);
        Add(command, "queue", NpgsqlDbType.Text, execution.Queue);
        Add(command, "item_count", NpgsqlDbType.Integer, execution.ItemCount);
        Add(command, "inputs", NpgsqlDbType.Jsonb, execution.InputsJson);
        Add(command, "outputs", NpgsqlDbType.Jsonb, execution.OutputsJson);
        Add(command, "error", NpgsqlDbType.Text, execution.Error);
        Add(command, "queued_at", NpgsqlDbType.TimestampTz, StoreValues.Microseconds(execution.QueuedAt));
        Add(command, "started_at", NpgsqlDbType.TimestampTz, StoreValues.Microseconds(execution.StartedAt));
        Add(command, "finished_at", NpgsqlDbType.TimestampTz, StoreValues.Microseconds(execution.FinishedAt));
    }

    private static void Add(NpgsqlCommand command, string name, NpgsqlDbType type, object? value) =>
        command.Parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });

    private static WorkflowRun ReadRun(NpgsqlDataReader reader)
    {
        var id = reader.GetGuid(0);
        return new WorkflowRun
        {
            Id = id,
            Workflow = reader.GetString(1),
            DefinitionHash = reader.GetString(2),
            DefinitionSource = reader.GetString(3),
            DefinitionFile = reader.GetString(4),
            ParametersJson = reader.GetString(5),
            Trigger = new RunTrigger(reader.GetString(6), NullableString(reader, 7), NullableString(reader, 8), NullableString(reader, 9)),
            Status = StoreValues.ParseRunStatus(reader.GetString(10), id),
            CreatedAt = reader.GetFieldValue<DateTimeOffset>(11),
            StartedAt = NullableInstant(reader, 12),
            FinishedAt = NullableInstant(reader, 13),
            Error = NullableString(reader, 14),
        };
    }

    private static StepExecution ReadStep(NpgsqlDataReader reader)
    {
        var runId = reader.GetGuid(0);
        var stepId = reader.GetString(1);
        var item = reader.GetInt32(2);
        return new StepExecution
        {
            RunId = runId,
            StepId = stepId,
            Item = item,
            Status = StoreValues.ParseStepStatus(reader.GetString(3), runId, stepId, item),
            Attempt = reader.GetInt32(4),
            DispatchId = reader.IsDBNull(5) ? null : reader.GetGuid(5),
            JobId = NullableString(reader, 6),
            Queue = NullableString(reader, 7),
            ItemCount = reader.IsDBNull(8) ? null : reader.GetInt32(8),
            InputsJson = NullableString(reader, 9),
            OutputsJson = NullableString(reader, 10),
            Error = NullableString(reader, 11),
            Logs = reader.GetString(12),
            QueuedAt = NullableInstant(reader, 13),
            StartedAt = NullableInstant(reader, 14),
            FinishedAt = NullableInstant(reader, 15),
        };
    }

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTimeOffset? NullableInstant(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    private static string QuoteIdentifier(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    /// <summary>Holds a session-level advisory lock on its own connection; disposing unlocks and returns the connection.</summary>
    private sealed class AdvisoryLock(NpgsqlConnection connection, long key) : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            try
            {
                if (connection.FullState == ConnectionState.Open)
                {
                    try
                    {
                        await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
                        Add(unlock, "key", NpgsqlDbType.Bigint, key);
                        await unlock.ExecuteNonQueryAsync(CancellationToken.None);
                    }
                    catch (PostgresException)
                    {
                        // E.g. a late cancel request hit the unlock: make sure nothing stays locked on a pooled connection.
                        await ReleaseAllAsync(connection);
                    }
                }
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}
