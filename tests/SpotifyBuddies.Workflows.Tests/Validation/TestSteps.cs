using System.Text.Json.Nodes;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Definitions;

namespace SpotifyBuddies.Workflows.Tests.Validation;

/// <summary>A step that only describes itself: the validator reads descriptors and never runs steps.</summary>
internal sealed class DescribedStep(StepDescriptor descriptor) : IWorkflowStep
{
    public StepDescriptor Descriptor { get; } = descriptor;

    public Task<JsonObject> ExecuteAsync(StepContext context, CancellationToken cancellationToken) =>
        throw new NotSupportedException("validator tests never execute steps");
}

/// <summary>The catalog the validator tests use (shapes like the real steps', names and ports chosen for the tests).</summary>
internal static class TestSteps
{
    public static StepCatalog Catalog { get; } = new(
    [
        new DescribedStep(new StepDescriptor
        {
            Name = "data.synth",
            Title = "Synthesize interactions",
            Category = "data",
            Inputs = [new StepPort("users", DataType.Integer, "How many users", Default: 100), new StepPort("seed", DataType.Integer, "Random seed", Default: 42)],
            Outputs = [new StepPort("raw_dir", DataType.String, "Where the raw files are")],
        }),
        new DescribedStep(new StepDescriptor
        {
            Name = "data.prepare",
            Title = "Prepare a dataset",
            Category = "data",
            Queue = StepQueues.DataPrep,
            Inputs =
            [
                new StepPort("raw", DataType.String, "Raw data directory", Required: true),
                new StepPort("seed", DataType.Integer, "Split seed", Default: 42),
                new StepPort("rate", DataType.Number, "Test fraction", Default: 0.1),
                new StepPort("files", DataType.Array, "Files to read", ItemType: DataType.String),
                new StepPort("flags", DataType.Object, "Extra switches"),
            ],
            Outputs = [new StepPort("dataset_dir", DataType.String, "Prepared dataset"), new StepPort("rows", DataType.Integer, "Interactions kept")],
        }),
        new DescribedStep(new StepDescriptor
        {
            Name = "training.bpr",
            Title = "Train BPR",
            Category = "training",
            Queue = StepQueues.Training,
            Inputs =
            [
                new StepPort("dataset", DataType.String, "Prepared dataset", Required: true),
                new StepPort("epochs", DataType.Integer, "Epochs", Default: 5),
                new StepPort("lr", DataType.Number, "Learning rate", Default: 0.01),
                new StepPort("seed", DataType.Integer, "Seed"),
            ],
            Outputs = [new StepPort("model_dir", DataType.String, "Trained model"), new StepPort("loss", DataType.Number, "Final loss")],
        }),
        new DescribedStep(new StepDescriptor
        {
            Name = "model.evaluate",
            Title = "Evaluate a model",
            Category = "model",
            Inputs = [new StepPort("model", DataType.String, "Model directory", Required: true), new StepPort("strict", DataType.Boolean, "Fail on regressions")],
            Outputs = [new StepPort("passed", DataType.Boolean, "Gates passed"), new StepPort("mrr", DataType.Number, "Test MRR")],
        }),
    ]);
}
