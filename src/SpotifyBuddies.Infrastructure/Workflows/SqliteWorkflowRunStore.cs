using System.Globalization;
using Microsoft.Data.Sqlite;
using SpotifyBuddies.Core.Workflows;

namespace SpotifyBuddies.Infrastructure.Workflows;

/// <summary>
/// <see cref="IWorkflowRunStore"/> in one SQLite database file (Local profile): the same tables and rules as
/// <see cref="PostgresWorkflowRunStore"/>. WAL journal, a busy timeout, and a pooled connection per operation, so
/// concurrent callers are safe; every update is one compare-and-set statement.
/// </summary>
/// <remarks>
/// Values: ids as lower-case GUID text; instants as UTC ISO-8601 text with six fraction digits
/// (<c>2025-01-31T12:00:00.123456Z</c>: fixed width, so text order is time order; microseconds, like PostgreSQL);
/// JSON as the caller's text. Locks (<see cref="AcquireLockAsync"/>) exclude only within this process, which is
/// enough for the Local profile (one process); they are shared by every store on the same file in the process.
/// </remarks>
public sealed class SqliteWorkflowRunStore : IWorkflowRunStore
{
    /// <summary>The schema this build creates; a file with a higher version was written by a newer build.</summary>
    public const int SchemaVersion = 1;

    private const string InstantFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    private const int BusyTimeoutMs = 30_000;

    private const string RunColumns =
        "id, workflow, definition_hash, definition_source, definition_file, parameters, trigger_kind, trigger_actor, " +
        "trigger_detail, trigger_dedup_key, status, created_at, started_at, finished_at, error";

    private const string StepColumns =
        "run_id, step_id, item, status, attempt, dispatch_id, job_id, queue, item_count, inputs, outputs, error, logs, " +
        "queued_at, started_at, finished_at";

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS workflow_schema_version (
            version INTEGER NOT NULL
        );

        CREATE TABLE IF NOT EXISTS workflow_runs (
            id                TEXT    NOT NULL PRIMARY KEY,
            workflow          TEXT    NOT NULL,
            definition_hash   TEXT    NOT NULL,
            definition_source TEXT    NOT NULL,
            definition_file   TEXT    NOT NULL,
            parameters        TEXT    NOT NULL,
            trigger_kind      TEXT    NOT NULL,
            trigger_actor     TEXT,
            trigger_detail    TEXT,
            trigger_dedup_key TEXT,
            status            TEXT    NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
            created_at        TEXT    NOT NULL,
            started_at        TEXT,
            finished_at       TEXT,
            error             TEXT
        );

        CREATE INDEX IF NOT EXISTS workflow_runs_workflow_created_at_idx ON workflow_runs (workflow, created_at DESC, id DESC);
        CREATE INDEX IF NOT EXISTS workflow_runs_created_at_idx ON workflow_runs (created_at DESC, id DESC);

        CREATE TABLE IF NOT EXISTS workflow_step_executions (
            run_id      TEXT    NOT NULL REFERENCES workflow_runs (id) ON DELETE CASCADE,
            step_id     TEXT    NOT NULL,
            item        INTEGER NOT NULL,
            status      TEXT    NOT NULL
                CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled', 'timed_out')),
            attempt     INTEGER NOT NULL,
            dispatch_id TEXT,
            job_id      TEXT,
            queue       TEXT,
            item_count  INTEGER,
            inputs      TEXT,
            outputs     TEXT,
            error       TEXT,
            logs        TEXT    NOT NULL DEFAULT '',
            queued_at   TEXT,
            started_at  TEXT,
            finished_at TEXT,
            PRIMARY KEY (run_id, step_id, item)
        );

        CREATE TABLE IF NOT EXISTS workflow_trigger_claims (
            dedup_key  TEXT NOT NULL PRIMARY KEY,
            run_id     TEXT NOT NULL,
            claimed_at TEXT NOT NULL
        );
        """;

    private readonly string _connectionString;

    /// <param name="databasePath">The database file; it and its directory are created by <see cref="InitializeAsync"/>.</param>
    public SqliteWorkflowRunStore(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);

        DatabasePath = Path.GetFullPath(databasePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = BusyTimeoutMs / 1000,
        }.ToString();
    }

    /// <summary>The database file's full path.</summary>
    public string DatabasePath { get; }

    /// <summary>
    /// Creates the directory, the file and the tables when missing and switches the file to WAL; idempotent.
    /// </summary>
    /// <exception cref="InvalidOperationException">The file's schema is newer than this build's.</exception>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (Path.GetDirectoryName(DatabasePath) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using (var wal = Command(connection, "PRAGMA journal_mode = WAL"))
        {
            await wal.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var create = Command(connection, Schema))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var read = Command(connection, "SELECT max(version) FROM workflow_schema_version"))
        {
            var found = await read.ExecuteScalarAsync(cancellationToken);
            if (found is long version && version > SchemaVersion)
            {
                throw new InvalidOperationException(
                    $"Workflow database '{DatabasePath}' has schema version {version}, but this build knows version {SchemaVersion} at most: " +
                    "it was written by a newer build.");
            }

            if (found is null or DBNull)
            {
                await using var insert = Command(connection, "INSERT INTO workflow_schema_version (version) VALUES (@version)");
                insert.Parameters.AddWithValue("@version", SchemaVersion);
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task CreateRunAsync(WorkflowRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        StoreValues.RequireJson(run.ParametersJson, "WorkflowRun.ParametersJson");

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, $"""
            INSERT INTO workflow_runs ({RunColumns})
            VALUES (@id, @workflow, @definition_hash, @definition_source, @definition_file, @parameters, @trigger_kind,
                    @trigger_actor, @trigger_detail, @trigger_dedup_key, @status, @created_at, @started_at, @finished_at, @error)
            ON CONFLICT (id) DO NOTHING
            """);
        Add(command, "@id", Text(run.Id));
        Add(command, "@workflow", run.Workflow);
        Add(command, "@definition_hash", run.DefinitionHash);
        Add(command, "@definition_source", run.DefinitionSource);
        Add(command, "@definition_file", run.DefinitionFile);
        Add(command, "@parameters", run.ParametersJson);
        Add(command, "@trigger_kind", run.Trigger.Kind);
        Add(command, "@trigger_actor", run.Trigger.Actor);
        Add(command, "@trigger_detail", run.Trigger.Detail);
        Add(command, "@trigger_dedup_key", run.Trigger.DedupKey);
        Add(command, "@status", StoreValues.Name(run.Status));
        Add(command, "@created_at", Text(run.CreatedAt));
        Add(command, "@started_at", Text(run.StartedAt));
        Add(command, "@finished_at", Text(run.FinishedAt));
        Add(command, "@error", run.Error);

        // ON CONFLICT on the id only, as in PostgresWorkflowRunStore.
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw new InvalidOperationException($"A workflow run with id {run.Id} exists already.");
        }
    }

    public async Task<WorkflowRun?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT {RunColumns} FROM workflow_runs WHERE id = @id");
        Add(command, "@id", Text(runId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadRun(reader) : null;
    }

    public async Task<IReadOnlyList<WorkflowRun>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        StoreValues.ValidateLimit(query);

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "");
        var conditions = new List<string>();
        if (query.Workflow is not null)
        {
            conditions.Add("workflow = @workflow");
            Add(command, "@workflow", query.Workflow);
        }

        if (query.Statuses is { Count: > 0 })
        {
            conditions.Add($"status IN ({AddList(command, "@status", query.Statuses.Distinct().Select(StoreValues.Name))})");
        }

        var where = conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions);
        command.CommandText = $"SELECT {RunColumns} FROM workflow_runs {where} ORDER BY created_at DESC, id DESC LIMIT @limit";
        Add(command, "@limit", query.Limit);

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
        if (expected.Count == 0)
        {
            return false;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "");
        var expectedList = AddList(command, "@expected", StoreValues.Names(expected));
        // Same rules as PostgresWorkflowRunStore.TryUpdateRunStatusAsync.
        command.CommandText = $"""
            UPDATE workflow_runs
            SET status = @status,
                started_at = CASE WHEN @running AND started_at IS NULL THEN @at ELSE started_at END,
                finished_at = CASE WHEN @terminal THEN @at WHEN @running THEN NULL ELSE finished_at END,
                error = CASE WHEN @failure IS NOT NULL OR @running THEN @failure ELSE error END
            WHERE id = @id AND status IN ({expectedList})
            """;
        Add(command, "@id", Text(runId));
        Add(command, "@status", StoreValues.Name(status));
        Add(command, "@running", status == RunStatus.Running ? 1 : 0);
        Add(command, "@terminal", status.IsTerminal() ? 1 : 0);
        Add(command, "@at", Text(at));
        Add(command, "@failure", failure);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<StepExecution>> GetStepsAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT {StepColumns} FROM workflow_step_executions WHERE run_id = @run_id ORDER BY step_id, item");
        Add(command, "@run_id", Text(runId));

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
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection,
            $"SELECT {StepColumns} FROM workflow_step_executions WHERE run_id = @run_id AND step_id = @step_id AND item = @item");
        AddKey(command, runId, stepId, item);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadStep(reader) : null;
    }

    public async Task<bool> TryInsertStepAsync(StepExecution execution, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(execution);
        RequireStepJson(execution);

        await using var connection = await OpenAsync(cancellationToken);
        // ON CONFLICT on the key only (INSERT OR IGNORE would also swallow NOT NULL and CHECK failures).
        await using var command = Command(connection, $"""
            INSERT INTO workflow_step_executions ({StepColumns})
            VALUES (@run_id, @step_id, @item, @status, @attempt, @dispatch_id, @job_id, @queue, @item_count, @inputs, @outputs,
                    @error, @logs, @queued_at, @started_at, @finished_at)
            ON CONFLICT (run_id, step_id, item) DO NOTHING
            """);
        AddKey(command, execution.RunId, execution.StepId, execution.Item);
        AddStepValues(command, execution);
        Add(command, "@logs", execution.Logs ?? "");
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

        await using var connection = await OpenAsync(cancellationToken);
        // 'IS' is SQLite's null-safe equality (PostgreSQL's IS NOT DISTINCT FROM).
        await using var command = Command(connection, """
            UPDATE workflow_step_executions
            SET status = @status, attempt = @attempt, dispatch_id = @dispatch_id, job_id = @job_id, queue = @queue,
                item_count = @item_count, inputs = @inputs, outputs = @outputs, error = @error,
                queued_at = @queued_at, started_at = @started_at, finished_at = @finished_at
            WHERE run_id = @run_id AND step_id = @step_id AND item = @item
              AND status = @expected_status AND dispatch_id IS @expected_dispatch
            """);
        AddKey(command, replacement.RunId, replacement.StepId, replacement.Item);
        AddStepValues(command, replacement);
        Add(command, "@expected_status", StoreValues.Name(expectedStatus));
        Add(command, "@expected_dispatch", Text(expectedDispatch));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <exception cref="InvalidOperationException">No execution row (run, step, item) exists.</exception>
    public async Task AppendStepLogAsync(Guid runId, string stepId, int item, string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stepId);
        ArgumentNullException.ThrowIfNull(text);

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection,
            "UPDATE workflow_step_executions SET logs = logs || @text WHERE run_id = @run_id AND step_id = @step_id AND item = @item");
        AddKey(command, runId, stepId, item);
        Add(command, "@text", text);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw StoreValues.NoStepRow(runId, stepId, item);
        }
    }

    public async Task<Guid?> TryClaimTriggerAsync(string dedupKey, Guid runId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(dedupKey);

        await using var connection = await OpenAsync(cancellationToken);
        await using (var insert = Command(connection,
            "INSERT INTO workflow_trigger_claims (dedup_key, run_id, claimed_at) VALUES (@key, @run_id, @at) ON CONFLICT (dedup_key) DO NOTHING"))
        {
            Add(insert, "@key", dedupKey);
            Add(insert, "@run_id", Text(runId));
            Add(insert, "@at", Text(at));
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                return null;
            }
        }

        // Claims are never deleted, so the conflicting one is there to read.
        await using var select = Command(connection, "SELECT run_id FROM workflow_trigger_claims WHERE dedup_key = @key");
        Add(select, "@key", dedupKey);
        return await select.ExecuteScalarAsync(cancellationToken) is string existing
            ? Guid.Parse(existing)
            : throw new InvalidOperationException($"Trigger claim '{dedupKey}' conflicted on insert but cannot be read back.");
    }

    /// <summary>
    /// An in-process lock on <paramref name="key"/> for this database file (a <see cref="SemaphoreSlim"/> per key):
    /// the Local profile runs its API, workers and CLI-started runs in one process. It does not exclude other processes.
    /// </summary>
    public Task<IAsyncDisposable> AcquireLockAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return InProcessLocks.AcquireAsync($"{DatabasePath}\n{key}", cancellationToken);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // Per connection: wait for a concurrent writer instead of failing with SQLITE_BUSY.
            await using var busy = Command(connection, $"PRAGMA busy_timeout = {BusyTimeoutMs}");
            await busy.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private static void RequireStepJson(StepExecution execution)
    {
        ArgumentNullException.ThrowIfNull(execution.StepId);
        StoreValues.RequireJson(execution.InputsJson, "StepExecution.InputsJson");
        StoreValues.RequireJson(execution.OutputsJson, "StepExecution.OutputsJson");
    }

    private static void AddKey(SqliteCommand command, Guid runId, string stepId, int item)
    {
        Add(command, "@run_id", Text(runId));
        Add(command, "@step_id", stepId);
        Add(command, "@item", item);
    }

    private static void AddStepValues(SqliteCommand command, StepExecution execution)
    {
        Add(command, "@status", StoreValues.Name(execution.Status));
        Add(command, "@attempt", execution.Attempt);
        Add(command, "@dispatch_id", Text(execution.DispatchId));
        Add(command, "@job_id", execution.JobId);
        Add(command, "@queue", execution.Queue);
        Add(command, "@item_count", execution.ItemCount);
        Add(command, "@inputs", execution.InputsJson);
        Add(command, "@outputs", execution.OutputsJson);
        Add(command, "@error", execution.Error);
        Add(command, "@queued_at", Text(execution.QueuedAt));
        Add(command, "@started_at", Text(execution.StartedAt));
        Add(command, "@finished_at", Text(execution.FinishedAt));
    }

    private static void Add(SqliteCommand command, string name, object? value) =>
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);

    /// <summary>Adds one parameter per value; returns their names, comma-separated, for an <c>IN (...)</c> list.</summary>
    private static string AddList(SqliteCommand command, string prefix, IEnumerable<string> values)
    {
        var names = new List<string>();
        foreach (var value in values)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"{prefix}{names.Count}");
            Add(command, name, value);
            names.Add(name);
        }

        return string.Join(", ", names);
    }

    private static string Text(Guid id) => id.ToString("D");

    private static string? Text(Guid? id) => id?.ToString("D");

    private static string Text(DateTimeOffset at) => StoreValues.Microseconds(at).UtcDateTime.ToString(InstantFormat, CultureInfo.InvariantCulture);

    private static string? Text(DateTimeOffset? at) => at is { } value ? Text(value) : null;

    private static DateTimeOffset Instant(string text) =>
        DateTimeOffset.ParseExact(text, InstantFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static WorkflowRun ReadRun(SqliteDataReader reader)
    {
        var id = Guid.Parse(reader.GetString(0));
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
            CreatedAt = Instant(reader.GetString(11)),
            StartedAt = NullableInstant(reader, 12),
            FinishedAt = NullableInstant(reader, 13),
            Error = NullableString(reader, 14),
        };
    }

    private static StepExecution ReadStep(SqliteDataReader reader)
    {
        var runId = Guid.Parse(reader.GetString(0));
        var stepId = reader.GetString(1);
        var item = reader.GetInt32(2);
        return new StepExecution
        {
            RunId = runId,
            StepId = stepId,
            Item = item,
            Status = StoreValues.ParseStepStatus(reader.GetString(3), runId, stepId, item),
            Attempt = reader.GetInt32(4),
            DispatchId = reader.IsDBNull(5) ? null : Guid.Parse(reader.GetString(5)),
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

    private static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTimeOffset? NullableInstant(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Instant(reader.GetString(ordinal));
}
