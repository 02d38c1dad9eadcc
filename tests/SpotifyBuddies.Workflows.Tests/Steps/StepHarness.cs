using System.Text.Json.Nodes;
using SpotifyBuddies.Workflows.Catalog;

namespace SpotifyBuddies.Workflows.Tests.Steps;

/// <summary>Runs a step as the engine would: a context with its own work directory, a captured log, the given inputs.</summary>
internal sealed class StepHarness(string root)
{
    public List<string> Log { get; } = [];

    public StepContext Context(Guid runId, string stepId, JsonObject inputs, string workflow = "steps-tests")
    {
        var work = Path.Combine(root, "runs", runId.ToString("N"), stepId);
        Directory.CreateDirectory(work);
        return new StepContext
        {
            RunId = runId,
            Workflow = workflow,
            StepId = stepId,
            Inputs = inputs,
            WorkDirectory = work,
            Log = line =>
            {
                lock (Log)
                {
                    Log.Add(line);
                }
            },
        };
    }

    public static async Task<JsonObject> RunAsync(IWorkflowStep step, StepContext context, CancellationToken cancellationToken = default)
    {
        var outputs = await step.ExecuteAsync(context, cancellationToken);
        AssertDeclared(step.Descriptor, outputs);
        return outputs;
    }

    /// <summary>Every output a step returns is one its descriptor declares.</summary>
    public static void AssertDeclared(StepDescriptor descriptor, JsonObject outputs)
    {
        foreach (var (name, _) in outputs)
        {
            Assert.True(descriptor.Output(name) is not null, $"{descriptor.Name} returned undeclared output '{name}'");
        }
    }

    public static JsonObject Inputs(params (string Name, JsonNode? Value)[] values) =>
        new(values.Select(v => new KeyValuePair<string, JsonNode?>(v.Name, v.Value)));
}
