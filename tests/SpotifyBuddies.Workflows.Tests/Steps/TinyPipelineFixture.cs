using System.Text.Json.Nodes;
using SpotifyBuddies.Infrastructure.Artifacts;
using SpotifyBuddies.Infrastructure.Tracking;
using SpotifyBuddies.Workflows.Steps;

namespace SpotifyBuddies.Workflows.Tests.Steps;

/// <summary>
/// The real steps run once in order on the "tiny" synthetic preset, with the real local tracker and artifact store:
/// data.synth → data.prepare → pairing.knn (published) → training.bpr (native, 2 epochs, 1 thread).
/// </summary>
public sealed class TinyPipelineFixture : IAsyncLifetime
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"buddies-steps-tests-{Guid.NewGuid():N}");

    public Guid RunId { get; } = Guid.NewGuid();

    public LocalDirectoryArtifactStore Artifacts { get; private set; } = null!;

    public LocalTracker Tracker { get; private set; } = null!;

    public JsonObject Synth { get; private set; } = null!;

    public JsonObject Prepare { get; private set; } = null!;

    public JsonObject Pair { get; private set; } = null!;

    public JsonObject Train { get; private set; } = null!;

    internal StepHarness Harness { get; private set; } = null!;

    public string Dataset => Prepare["dataset"]!.GetValue<string>();

    public string ModelDir => Train["model_dir"]!.GetValue<string>();

    public string TrainRunId => Train["run_id"]!.GetValue<string>();

    /// <summary>Small, fast training settings (the tests' own, not the descriptor's defaults).</summary>
    public static (string, JsonNode?)[] TrainingInputs(string dataset, long epochs = 2) =>
    [
        ("dataset", dataset), ("backend", "native"), ("epochs", epochs), ("dim", 8L), ("batch_size", 256L),
        ("learning_rate", 0.05), ("threads", 1L), ("patience", 10L),
    ];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        Artifacts = new LocalDirectoryArtifactStore(Path.Combine(Root, "artifacts"));
        Tracker = new LocalTracker(new LocalTrackerOptions { Root = Path.Combine(Root, "tracking") }, Artifacts);
        Harness = new StepHarness(Root);

        Synth = await StepHarness.RunAsync(new DataSynthStep(), Harness.Context(RunId, "synth", StepHarness.Inputs(("preset", "tiny"), ("seed", 42L))));
        Prepare = await StepHarness.RunAsync(new DataPrepareStep(), Harness.Context(RunId, "prepare", StepHarness.Inputs(("raw", Synth["raw"]!.DeepClone()), ("threads", 2L))));
        Pair = await StepHarness.RunAsync(new PairingKnnStep(Artifacts), Harness.Context(RunId, "pair", StepHarness.Inputs(("dataset", Dataset), ("publish", true), ("threads", 2L))));
        Train = await StepHarness.RunAsync(new TrainingBprStep(Artifacts, Tracker), Harness.Context(RunId, "train", StepHarness.Inputs(TrainingInputs(Dataset))));
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }

        return Task.CompletedTask;
    }
}

/// <summary>One tiny pipeline for every step test class (they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class TinyPipelineGroup : ICollectionFixture<TinyPipelineFixture>
{
    public const string Name = "tiny pipeline";
}
