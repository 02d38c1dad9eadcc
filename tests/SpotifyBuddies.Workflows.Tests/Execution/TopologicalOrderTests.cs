using SpotifyBuddies.Workflows.Definitions;
using SpotifyBuddies.Workflows.Execution;

namespace SpotifyBuddies.Workflows.Tests.Execution;

public sealed class TopologicalOrderTests
{
    [Fact]
    public void StepsComeAfterWhatTheyNeed_AndKeepFileOrderOtherwise()
    {
        var definition = Workflow(("d", ["c"]), ("a", []), ("c", ["a", "b"]), ("b", []), ("e", []));

        var order = WorkflowEngine.TopologicalOrder(definition).Select(s => s.Id);

        Assert.Equal(["a", "b", "c", "d", "e"], order);
    }

    [Fact]
    public void ACycle_IsRefused()
    {
        var definition = Workflow(("a", ["b"]), ("b", ["a"]));

        Assert.Throws<InvalidOperationException>(() => WorkflowEngine.TopologicalOrder(definition));
    }

    private static WorkflowDefinition Workflow(params (string Id, string[] Needs)[] steps) => new()
    {
        SourceFile = "w.yaml",
        ApiVersion = WorkflowDefinition.CurrentApiVersion,
        Kind = WorkflowDefinition.WorkflowKind,
        Metadata = new WorkflowMetadata { Name = "w" },
        Steps = [.. steps.Select(s => new StepDefinition { Id = s.Id, Uses = "x", Needs = [.. s.Needs.Select(n => new StepReference(n, SourcePosition.None))] })],
    };
}
