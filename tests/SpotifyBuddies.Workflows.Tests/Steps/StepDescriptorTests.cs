using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using SpotifyBuddies.Core.Artifacts;
using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Infrastructure.Artifacts;
using SpotifyBuddies.Infrastructure.Tracking;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Definitions;
using SpotifyBuddies.Workflows.Steps;

namespace SpotifyBuddies.Workflows.Tests.Steps;

/// <summary>The built-in steps as the hosts register them: complete, consistent descriptors in the catalog.</summary>
public sealed partial class StepDescriptorTests : IDisposable
{
    private static readonly string[] Categories = ["data", "pairing", "training", "model"];

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"buddies-steps-descriptors-{Guid.NewGuid():N}");
    private readonly ServiceProvider _services;

    public StepDescriptorTests()
    {
        var artifacts = new LocalDirectoryArtifactStore(Path.Combine(_root, "artifacts"));
        var tracker = new LocalTracker(new LocalTrackerOptions { Root = Path.Combine(_root, "tracking") }, artifacts);
        _services = new ServiceCollection()
            .AddSingleton<IArtifactStore>(artifacts)
            .AddSingleton<IExperimentTracker>(tracker)
            .AddSingleton<IModelRegistry>(tracker)
            .AddWorkflowSteps()
            .BuildServiceProvider();
    }

    public static TheoryData<string> Names =>
    [
        StepNames.DataSynth, StepNames.DataPrepare, StepNames.PairingKnn, StepNames.TrainingBpr, StepNames.ModelEvaluate, StepNames.ModelRegister,
    ];

    public void Dispose()
    {
        _services.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    [Fact]
    public void AddWorkflowSteps_registers_the_six_steps_once_each_in_the_catalog()
    {
        var catalog = _services.GetRequiredService<StepCatalog>();
        Assert.Equal(Names.Order(StringComparer.Ordinal), catalog.Descriptors.Select(d => d.Name).Order(StringComparer.Ordinal));

        // Adding them twice (two hosts' setup calling it) still gives one of each.
        using var twice = new ServiceCollection()
            .AddSingleton(_services.GetRequiredService<IArtifactStore>())
            .AddSingleton(_services.GetRequiredService<IExperimentTracker>())
            .AddSingleton(_services.GetRequiredService<IModelRegistry>())
            .AddWorkflowSteps().AddWorkflowSteps().AddWorkflowStep<DataSynthStep>()
            .BuildServiceProvider();
        Assert.Equal(6, twice.GetRequiredService<StepCatalog>().Descriptors.Count);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_descriptor_is_complete_and_its_defaults_have_the_declared_types(string name)
    {
        var descriptor = _services.GetRequiredService<StepCatalog>().Find(name);
        Assert.NotNull(descriptor);
        Assert.False(string.IsNullOrWhiteSpace(descriptor.Title));
        Assert.False(string.IsNullOrWhiteSpace(descriptor.Description));
        Assert.Contains(descriptor.Category, Categories);
        Assert.Contains(descriptor.Queue, StepQueues.All);
        Assert.NotEmpty(descriptor.Inputs);
        Assert.NotEmpty(descriptor.Outputs);

        foreach (var port in descriptor.Inputs.Concat(descriptor.Outputs))
        {
            Assert.Matches(SnakeCase(), port.Name);
            Assert.False(string.IsNullOrWhiteSpace(port.Description), $"{name}.{port.Name} has no description");
            Assert.Equal(port.Type == DataType.Array, port.ItemType is not null);
        }

        Assert.Equal(descriptor.Inputs.Count, descriptor.Inputs.Select(p => p.Name).Distinct().Count());
        Assert.Equal(descriptor.Outputs.Count, descriptor.Outputs.Select(p => p.Name).Distinct().Count());
        foreach (var input in descriptor.Inputs)
        {
            Assert.False(input.Required && input.Default is not null, $"{name}.{input.Name} is required and has a default");
            if (input.Default is { } value)
            {
                Assert.True(Fits(input.Type, value), $"{name}.{input.Name}: default {value.ToJsonString()} is not a {input.Type}");
            }
        }

        Assert.All(descriptor.Outputs, o => Assert.Null(o.Default));
    }

    [Fact]
    public void Heavy_steps_are_kept_off_the_default_queue()
    {
        var catalog = _services.GetRequiredService<StepCatalog>();
        Assert.Equal(StepQueues.DataPrep, catalog.Find(StepNames.DataPrepare)!.Queue);
        Assert.Equal(StepQueues.DataPrep, catalog.Find(StepNames.PairingKnn)!.Queue);
        Assert.Equal(StepQueues.Training, catalog.Find(StepNames.TrainingBpr)!.Queue);
    }

    [Fact]
    public void Defaults_are_the_capabilities_own()
    {
        var catalog = _services.GetRequiredService<StepCatalog>();
        var training = catalog.Find(StepNames.TrainingBpr)!;
        var h = new Models.Ranking.BprHyperparameters();
        Assert.Equal(h.Epochs, training.Input("epochs")!.Default!.GetValue<long>());
        Assert.Equal(h.Dimensions, training.Input("dim")!.Default!.GetValue<long>());
        Assert.Equal(h.LearningRate, training.Input("learning_rate")!.Default!.GetValue<double>());
        Assert.Equal(h.BatchSize, training.Input("batch_size")!.Default!.GetValue<long>());
        var prepare = catalog.Find(StepNames.DataPrepare)!;
        var p = new Core.Preparation.PreparationParameters();
        Assert.Equal(p.LikedFraction, prepare.Input("liked_fraction")!.Default!.GetValue<double>());
        Assert.Equal(p.EvaluationNegatives, prepare.Input("eval_negatives")!.Default!.GetValue<long>());
        var pairing = catalog.Find(StepNames.PairingKnn)!;
        Assert.Equal(new Core.Pairing.PairingParameters().K, pairing.Input("k")!.Default!.GetValue<long>());
        Assert.False(pairing.Input("publish")!.Default!.GetValue<bool>());
    }

    [Fact]
    public async Task An_input_of_the_wrong_type_fails_naming_the_input()
    {
        var step = _services.GetRequiredService<StepCatalog>().Get(StepNames.DataSynth);
        var harness = new StepHarness(_root);
        var error = await Assert.ThrowsAsync<StepInputException>(() => step.ExecuteAsync(
            harness.Context(Guid.NewGuid(), "synth", StepHarness.Inputs(("preset", "tiny"), ("seed", "forty-two"))), CancellationToken.None));
        Assert.Equal("seed", error.Input);
        Assert.Contains("\"forty-two\"", error.Message, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<StepInputException>(() => step.ExecuteAsync(
            harness.Context(Guid.NewGuid(), "synth", StepHarness.Inputs(("preset", "huge"))), CancellationToken.None));
        Assert.Equal("preset", unknown.Input);
        Assert.Contains("tiny, small, medium", unknown.Message, StringComparison.Ordinal);
    }

    private static bool Fits(DataType type, JsonNode value) => (type, value.GetValueKind()) switch
    {
        (DataType.String, JsonValueKind.String) => true,
        (DataType.Integer, JsonValueKind.Number) => value.GetValue<long>() == value.GetValue<long>(),
        (DataType.Number, JsonValueKind.Number) => true,
        (DataType.Boolean, JsonValueKind.True or JsonValueKind.False) => true,
        (DataType.Array, JsonValueKind.Array) => true,
        (DataType.Object, JsonValueKind.Object) => true,
        _ => false,
    };

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex SnakeCase();
}
