using Npgsql;

namespace SpotifyBuddies.IntegrationTests.Api;

/// <summary>A fact that needs PostgreSQL (<c>SPOTIFYBUDDIES_TEST_PG</c>): skipped with a reason when unset, except in CI (<c>CI=true</c>), where it runs and fails.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class WorkflowsPostgresFactAttribute : FactAttribute
{
    public const string Variable = "SPOTIFYBUDDIES_TEST_PG";

    public WorkflowsPostgresFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable))
            && !string.Equals(Environment.GetEnvironmentVariable("CI")?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = $"{Variable} is not set: run ./test.sh, which starts a throwaway PostgreSQL and sets it.";
        }
    }

    public static string ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException($"{Variable} is not set, but this run is in CI (CI=true), where tests that need PostgreSQL must run: use ./test.sh.");
}

/// <summary>The API in the Production profile: Hangfire and the run store on PostgreSQL, each in a throwaway schema.
/// MinIO and MLflow are configured but never called (the test workflow uses no step that needs them).</summary>
public sealed class WorkflowsApiPostgresFactory(string hangfireSchema, string storeSchema) : WorkflowsApiFactory(new Dictionary<string, string?>
{
    ["Profile"] = "Production",
    ["ConnectionStrings:Postgres"] = WorkflowsPostgresFactAttribute.ConnectionString,
    ["Hangfire:SchemaName"] = hangfireSchema,
    ["Hangfire:QueuePollInterval"] = "00:00:00.200",
    ["Postgres:SchemaName"] = storeSchema,
    ["Artifacts:Minio:Endpoint"] = "127.0.0.1:9",
    ["Artifacts:Minio:AccessKey"] = "unused",
    ["Artifacts:Minio:SecretKey"] = "unused-secret",
    ["Artifacts:Minio:Bucket"] = "unused",
    ["Mlflow:TrackingUri"] = "http://127.0.0.1:9",
});

[Collection(WorkflowsApiTestGroup.Name)]
public sealed class WorkflowsApiPostgresTests
{
    [WorkflowsPostgresFact]
    public async Task ManualTrigger_OnPostgresHangfireAndStore_RunsToCompletion()
    {
        var prefix = $"api{Guid.NewGuid():N}"[..15];
        var (hangfireSchema, storeSchema) = ($"{prefix}_hf", $"{prefix}_store");
        try
        {
            await using var factory = new WorkflowsApiPostgresFactory(hangfireSchema, storeSchema);
            using var client = factory.CreateClient();

            var id = await WorkflowsApiTests.StartAsync(client, "echo", """{"parameters": {"message": "from postgres"}}""");
            var run = await WorkflowsApiTests.WaitForEndAsync(client, id);

            Assert.Equal("succeeded", (string)run["status"]!);
            Assert.Equal("from postgres", (string)run["steps"]![0]!["outputs"]!["message"]!);
            await using var data = NpgsqlDataSource.Create(WorkflowsPostgresFactAttribute.ConnectionString);
            await using var jobs = data.CreateCommand($"SELECT count(*) FROM \"{hangfireSchema}\".job WHERE statename = 'Succeeded'");
            Assert.True((long)(await jobs.ExecuteScalarAsync())! >= 1, "the step ran as a job in the Postgres Hangfire storage");
            await using var runs = data.CreateCommand($"SELECT count(*) FROM \"{storeSchema}\".workflow_runs");
            Assert.Equal(1L, (long)(await runs.ExecuteScalarAsync())!);
        }
        finally
        {
            await using var data = NpgsqlDataSource.Create(WorkflowsPostgresFactAttribute.ConnectionString);
            foreach (var schema in new[] { hangfireSchema, storeSchema })
            {
                await using var drop = data.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
                await drop.ExecuteNonQueryAsync();
            }
        }
    }
}
