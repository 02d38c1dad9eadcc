using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Infrastructure.Workflows;

namespace SpotifyBuddies.Infrastructure.Tests.Workflows;

public sealed class WorkflowStoreServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddSqliteWorkflowStore_RegistersOneSqliteStoreOnTheGivenFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sb-workflow-di-{Guid.NewGuid():N}", "workflows.db");
        var services = new ServiceCollection();
        services.AddSqliteWorkflowStore(path);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var store = provider.GetRequiredService<IWorkflowRunStore>();

        var sqlite = Assert.IsType<SqliteWorkflowRunStore>(store);
        Assert.Same(store, provider.GetRequiredService<IWorkflowRunStore>());
        Assert.Same(store, provider.GetRequiredService<SqliteWorkflowRunStore>());
        Assert.Equal(Path.GetFullPath(path), sqlite.DatabasePath);
        Assert.False(File.Exists(path)); // nothing touches the disk before InitializeAsync
    }

    [Fact]
    public async Task AddPostgresWorkflowStore_RegistersOnePostgresStoreOnTheSharedDataSource()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Postgres:ConnectionString"] = "Host=127.0.0.1;Port=5432;Database=buddies;Username=buddies;Password=x",
            ["Postgres:SchemaName"] = "custom",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>)); // what a host's AddLogging provides
        services.AddPostgresWorkflowStore();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var store = provider.GetRequiredService<IWorkflowRunStore>();

        Assert.IsType<PostgresWorkflowRunStore>(store);
        Assert.Same(store, provider.GetRequiredService<IWorkflowRunStore>());
    }
}
