using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SpotifyBuddies.Infrastructure.Artifacts;
using SpotifyBuddies.Infrastructure.Tracking;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Steps;
using SpotifyBuddies.Workflows.Validation;

namespace SpotifyBuddies.Workflows.Tests.Validation;

/// <summary>
/// Golden test: every definition shipped in <c>workflows/</c> loads and validates against the real step catalog
/// (the steps as the hosts register them), with no diagnostics at all.
/// </summary>
public sealed class ShippedWorkflowsGoldenTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("buddies-golden-").FullName;
    private readonly ServiceProvider _services;

    public ShippedWorkflowsGoldenTests()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLocalArtifacts(new LocalArtifactOptions { Root = Path.Combine(_root, "artifacts") });
        services.AddLocalTracking(Path.Combine(_root, "tracking"));
        services.AddWorkflowSteps();
        _services = services.BuildServiceProvider();
    }

    public static TheoryData<string> Files => [.. Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "workflows")).Select(f => Path.GetFileName(f)).Order()];

    [Fact]
    public void TheShippedWorkflowsAreAllHere()
    {
        Assert.Contains("weekly-retrain.yaml", Files);
        Assert.Contains("knn-refresh.yaml", Files);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void ShippedWorkflow_Validates(string file)
    {
        var catalog = _services.GetRequiredService<StepCatalog>();

        var (definition, diagnostics) = WorkflowDocument.LoadFile(Path.Combine(AppContext.BaseDirectory, "workflows", file), catalog);

        Assert.True(diagnostics.Count == 0, string.Join(Environment.NewLine, diagnostics));
        Assert.NotNull(definition);
        Assert.Equal(Path.GetFileNameWithoutExtension(file), definition.Name);
    }

    public void Dispose()
    {
        _services.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
