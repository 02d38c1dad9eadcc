using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Infrastructure.Postgres;
using SpotifyBuddies.Infrastructure.Tests.Testing;
using SpotifyBuddies.Infrastructure.Workflows;

namespace SpotifyBuddies.Infrastructure.Tests.Workflows;

/// <summary>
/// The store contract on real PostgreSQL (<c>SPOTIFYBUDDIES_TEST_PG</c>), each test in a fresh schema; "another
/// store" has its own data source, as another process would. Plus what only PostgreSQL has.
/// </summary>
[RequiresPostgres]
public sealed class PostgresWorkflowRunStoreTests(PostgresSchemas schemas) : WorkflowRunStoreContract, IClassFixture<PostgresSchemas>
{
    private readonly List<NpgsqlDataSource> _dataSources = [];
    private string? _schema;

    private string Schema => _schema ?? throw new InvalidOperationException("The schema is chosen in CreateStoreAsync.");

    protected override async Task<IWorkflowRunStore> CreateStoreAsync()
    {
        _schema = schemas.NewSchemaName();
        return await OpenAsync(_schema);
    }

    protected override async Task<IWorkflowRunStore> OpenAnotherStoreAsync() => await OpenAsync(Schema);

    protected override async Task DisposeStoresAsync()
    {
        foreach (var dataSource in _dataSources)
        {
            await dataSource.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task InitializeAsync_CreatesTheTablesInTheConfiguredSchema_AsMigration0002()
    {
        using var cts = new CancellationTokenSource(Timeout);

        var tables = await QueryAsync<string>(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name LIKE 'workflow%' ORDER BY 1", cts.Token);
        var versions = await QueryAsync<string>($"SELECT version || '_' || name FROM \"{Schema}\".schema_migrations ORDER BY version", cts.Token);

        Assert.Equal(["workflow_runs", "workflow_step_executions", "workflow_trigger_claims"], tables);
        Assert.Contains("2_workflow_runs", versions);
    }

    [PostgresFact]
    public async Task Columns_HoldJsonAsJsonbAndStatusesAsLowerCaseNames()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = NewRun() with { Status = RunStatus.Running };
        await Store.CreateRunAsync(run, cts.Token);
        await Store.TryInsertStepAsync(NewStep(run.Id, "train") with { Status = StepStatus.TimedOut, InputsJson = "{\"epochs\": 3}" }, cts.Token);

        var runRow = await QueryAsync<string>($"SELECT status || ' ' || (parameters->>'epochs') FROM \"{Schema}\".workflow_runs", cts.Token);
        var stepRow = await QueryAsync<string>($"SELECT status || ' ' || (inputs->>'epochs') FROM \"{Schema}\".workflow_step_executions", cts.Token);

        Assert.Equal(["running 20"], runRow);
        Assert.Equal(["timed_out 3"], stepRow);
    }

    [PostgresFact]
    public async Task AcquireLockAsync_HoldsASessionAdvisoryLockOnTheSha256OfSchemaAndKey_UntilDisposed()
    {
        using var cts = new CancellationTokenSource(Timeout);
        // The key's derivation is part of the contract between versions of the application running side by side.
        var key = BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"SpotifyBuddies.WorkflowRunStore:{Schema}:run:advisory")));
        var sql = $"""
            SELECT count(*)::text FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objsubid = 1
              AND classid = {(uint)(key >> 32)}::bigint::oid AND objid = {(uint)key}::bigint::oid
            """;

        var handle = await Store.AcquireLockAsync("run:advisory", cts.Token);
        var held = await QueryAsync<string>(sql, cts.Token);
        await handle.DisposeAsync();
        var released = await QueryAsync<string>(sql, cts.Token);

        Assert.Equal(["1"], held);
        Assert.Equal(["0"], released);
    }

    [PostgresFact]
    public async Task Locks_OfStoresOnDifferentSchemas_DoNotExcludeEachOther()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var elsewhere = await OpenAsync(schemas.NewSchemaName());
        await using var held = await Store.AcquireLockAsync("workflow:weekly-retrain", cts.Token);

        await using var alsoHeld = await elsewhere.AcquireLockAsync("workflow:weekly-retrain", cts.Token);
    }

    private async Task<PostgresWorkflowRunStore> OpenAsync(string schema)
    {
        var dataSource = NpgsqlDataSource.Create(TestPostgres.RequireConnectionString());
        _dataSources.Add(dataSource);
        var options = Options.Create(new PostgresOptions { ConnectionString = TestPostgres.RequireConnectionString(), SchemaName = schema });
        var store = new PostgresWorkflowRunStore(dataSource, options, new PostgresMigrator(dataSource, options, NullLogger<PostgresMigrator>.Instance));
        await store.InitializeAsync();
        return store;
    }

    private async Task<List<T>> QueryAsync<T>(string sql, CancellationToken cancellationToken)
    {
        await using var command = schemas.DataSource.CreateCommand(sql);
        if (sql.Contains("$1", StringComparison.Ordinal))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Schema });
        }

        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(reader.GetFieldValue<T>(0));
        }

        return rows;
    }
}
