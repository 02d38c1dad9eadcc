using Microsoft.Data.Sqlite;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Infrastructure.Workflows;

namespace SpotifyBuddies.Infrastructure.Tests.Workflows;

/// <summary>The store contract on SQLite, each test on a new database file in a directory of its own; plus what only SQLite has.</summary>
public sealed class SqliteWorkflowRunStoreTests : WorkflowRunStoreContract
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"sb-workflow-store-{Guid.NewGuid():N}");

    /// <summary>Below a directory that does not exist yet: InitializeAsync creates it.</summary>
    private string DatabasePath => Path.Combine(_directory, "state", "workflows.db");

    protected override async Task<IWorkflowRunStore> CreateStoreAsync() => await OpenAsync(DatabasePath);

    protected override async Task<IWorkflowRunStore> OpenAnotherStoreAsync() => await OpenAsync(DatabasePath);

    protected override Task DisposeStoresAsync()
    {
        // Close pooled connections so the files can go.
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task InitializeAsync_CreatesTheDirectoryAndAWalDatabaseAtSchemaVersion1()
    {
        using var cts = new CancellationTokenSource(Timeout);

        Assert.True(File.Exists(DatabasePath));
        Assert.Equal("wal", await ScalarAsync("PRAGMA journal_mode", cts.Token));
        Assert.Equal(1L, await ScalarAsync("SELECT max(version) FROM workflow_schema_version", cts.Token));
        await Store.InitializeAsync(cts.Token);
        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM workflow_schema_version", cts.Token));
    }

    [Fact]
    public async Task InitializeAsync_WhenTheFileHasANewerSchema_ThrowsNamingTheFileAndVersions()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await ScalarAsync("UPDATE workflow_schema_version SET version = 2", cts.Token);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Store.InitializeAsync(cts.Token));

        Assert.Contains(DatabasePath, error.Message, StringComparison.Ordinal);
        Assert.Contains("schema version 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Instants_AreStoredAsFixedWidthUtcText()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var run = NewRun() with { CreatedAt = new DateTimeOffset(2025, 6, 1, 8, 0, 0, TimeSpan.FromHours(2)).AddTicks(1_234_567) };
        await Store.CreateRunAsync(run, cts.Token);

        Assert.Equal("2025-06-01T06:00:00.123456Z", await ScalarAsync("SELECT created_at FROM workflow_runs", cts.Token));
        Assert.Equal(run.Id.ToString(), await ScalarAsync("SELECT id FROM workflow_runs", cts.Token));
    }

    [Fact]
    public async Task Locks_OfStoresOnDifferentFiles_DoNotExcludeEachOther()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var elsewhere = await OpenAsync(Path.Combine(_directory, "other.db"));
        await using var held = await Store.AcquireLockAsync("workflow:weekly-retrain", cts.Token);

        await using var alsoHeld = await elsewhere.AcquireLockAsync("workflow:weekly-retrain", cts.Token);
    }

    private static async Task<SqliteWorkflowRunStore> OpenAsync(string path)
    {
        var store = new SqliteWorkflowRunStore(path);
        await store.InitializeAsync();
        return store;
    }

    private async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
