using System.Text.Json.Nodes;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Definitions;

namespace SpotifyBuddies.IntegrationTests.Api;

/// <summary>A test step: returns its <c>message</c> input as its <c>message</c> output, and logs it.</summary>
internal sealed class EchoStep : IWorkflowStep
{
    public StepDescriptor Descriptor { get; } = new()
    {
        Name = "test.echo",
        Title = "Echo",
        Category = "test",
        Description = "Returns its message.",
        Queue = StepQueues.Default,
        Inputs = [new StepPort("message", DataType.String, "What to say.", Required: true)],
        Outputs = [new StepPort("message", DataType.String, "What was said.")],
    };

    public Task<JsonObject> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var message = context.GetString("message");
        context.Log($"saying '{message}'");
        return Task.FromResult(new JsonObject { ["message"] = message });
    }
}

/// <summary>A test step that runs until its run is cancelled (or the test releases it), to hold a run active.</summary>
internal sealed class WaitStep : IWorkflowStep
{
    private static TaskCompletionSource s_release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StepDescriptor Descriptor { get; } = new()
    {
        Name = "test.wait",
        Title = "Wait",
        Category = "test",
        Description = "Waits until cancelled or released.",
        Queue = StepQueues.Default,
    };

    /// <summary>Lets every waiting step finish, and later ones not wait at all.</summary>
    public static void ReleaseAll() => s_release.TrySetResult();

    /// <summary>Makes later steps wait again.</summary>
    public static void Reset() => s_release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<JsonObject> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        context.Log("waiting");
        await s_release.Task.WaitAsync(cancellationToken);
        return [];
    }
}

/// <summary>A test step that fails while <see cref="Failing"/> is set: a failed run to retry.</summary>
internal sealed class FlakyStep : IWorkflowStep
{
    public static volatile bool Failing = true;

    public StepDescriptor Descriptor { get; } = new()
    {
        Name = "test.flaky",
        Title = "Flaky",
        Category = "test",
        Description = "Fails while the test says so.",
        Queue = StepQueues.Default,
        Outputs = [new StepPort("attempts_seen", DataType.Integer, "The attempt that succeeded.")],
    };

    public Task<JsonObject> ExecuteAsync(StepContext context, CancellationToken cancellationToken) =>
        Failing
            ? throw new InvalidOperationException("flaky step failing on purpose")
            : Task.FromResult(new JsonObject { ["attempts_seen"] = context.Attempt });
}
