using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using SpotifyBuddies.Workflows.Steps;

namespace SpotifyBuddies.IntegrationTests.Api;

/// <summary>
/// Hangfire keeps state process-wide (serializer settings, log provider), so the tests that host the API with
/// Hangfire run one at a time, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WorkflowsApiTestGroup : ICollectionFixture<WorkflowsApiFactory>
{
    public const string Name = "Workflows API";
}

/// <summary>
/// The API host in the Local profile (Hangfire in memory with a server, SQLite run store) over a temporary
/// directory holding the test workflows, with the test steps registered. Extra settings (e.g. the Production
/// profile) replace the defaults.
/// </summary>
public class WorkflowsApiFactory : WebApplicationFactory<Program>
{
    public const string Key = "test-key-0123456789abcdef";
    public const string SecondKey = "second-key-0123456789abcdef";

    private readonly Dictionary<string, string?> _settings;

    public WorkflowsApiFactory()
        : this(new Dictionary<string, string?>())
    {
    }

    protected WorkflowsApiFactory(IReadOnlyDictionary<string, string?> overrides)
    {
        Root = Directory.CreateTempSubdirectory("buddies-api-").FullName;
        var workflows = Directory.CreateDirectory(Path.Combine(Root, "workflows")).FullName;
        foreach (var (file, text) in TestWorkflows.All)
        {
            File.WriteAllText(Path.Combine(workflows, file), text);
        }

        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Profile"] = "Local",
            ["Workflows:DefinitionsDirectory"] = workflows,
            ["Workflows:WorkRoot"] = Path.Combine(Root, "work"),
            ["Workflows:SqlitePath"] = Path.Combine(Root, "buddies.db"),
            ["Artifacts:Local:Root"] = Path.Combine(Root, "artifacts"),
            ["Tracking:Local:Root"] = Path.Combine(Root, "tracking"),
            ["Hangfire:WorkerCount"] = "4",
            ["Hangfire:SchedulePollingInterval"] = "00:00:00.500",
            ["Api:Keys:0"] = Key,
            ["Api:Keys:1"] = SecondKey,
        };
        foreach (var (key, value) in overrides)
        {
            if (value is null)
            {
                _settings.Remove(key);
            }
            else
            {
                _settings[key] = value;
            }
        }
    }

    /// <summary>The temporary directory (workflows/, work/, the SQLite file, artifacts, tracker).</summary>
    public string Root { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services => services.AddWorkflowStep<EchoStep>().AddWorkflowStep<WaitStep>().AddWorkflowStep<FlakyStep>());
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            WaitStep.ReleaseAll();
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
                // A file still open by a job that outlived the host: the OS temp directory keeps it.
            }
        }
    }
}

/// <summary>The same host with no API keys configured.</summary>
public sealed class WorkflowsApiWithoutKeysFactory() : WorkflowsApiFactory(new Dictionary<string, string?> { ["Api:Keys:0"] = null, ["Api:Keys:1"] = null });

/// <summary>The same host with one setting changed.</summary>
public sealed class WorkflowsApiSettingsFactory(string key, string value) : WorkflowsApiFactory(new Dictionary<string, string?> { [key] = value });

/// <summary>The test workflows, by file name.</summary>
internal static class TestWorkflows
{
    public const string ScheduleCron = "0 3 * * 1";
    public const string ScheduleZone = "Europe/Stockholm";

    public static readonly IReadOnlyDictionary<string, string> All = new Dictionary<string, string>
    {
        ["echo.yaml"] = $$$"""
            apiVersion: spotifybuddies/v1
            kind: Workflow
            metadata:
              name: echo
              description: Echoes a message.
            schedule:
              cron: "{{{ScheduleCron}}}"
              timezone: {{{ScheduleZone}}}
            concurrency: allow
            parameters:
              message:
                type: string
                default: hello
              times:
                type: integer
                default: 1
            steps:
              - id: say
                uses: test.echo
                with:
                  message: ${{ params.message }}
            """,
        ["gated.yaml"] = """
            apiVersion: spotifybuddies/v1
            kind: Workflow
            metadata:
              name: gated
              description: Holds its run until cancelled.
            concurrency: forbid
            steps:
              - id: hold
                uses: test.wait
            """,
        ["flaky.yaml"] = """
            apiVersion: spotifybuddies/v1
            kind: Workflow
            metadata:
              name: flaky
              description: Fails until the test lets it succeed.
            concurrency: allow
            steps:
              - id: first
                uses: test.echo
                with:
                  message: before
              - id: wobble
                uses: test.flaky
                needs: [first]
            """,
        ["alerting.yaml"] = """
            apiVersion: spotifybuddies/v1
            kind: Workflow
            metadata:
              name: alerting
              description: Started by an Alertmanager alert.
            concurrency: allow
            parameters:
              message:
                type: string
                default: none
            webhook:
              source: alertmanager
              alerts: [HighLatency]
              parameters:
                message: ${{ alert.labels.service }}
            steps:
              - id: say
                uses: test.echo
                with:
                  message: ${{ params.message }}
            """,
    };
}
