using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Definitions;

namespace SpotifyBuddies.IntegrationTests.Workflows;

/// <summary>
/// Small real steps for the engine's scenario tests: each does what its descriptor says (echo and double a number,
/// fail a given number of attempts, sleep honouring its token, add numbers), so the tests observe the engine's
/// scheduling, retries, time-outs and fan-in through real step executions.
/// </summary>
internal static class TestSteps
{
    /// <summary>Per run: how many <c>test.echo</c> executions ran at once at most (for max_parallel).</summary>
    public static readonly ConcurrentDictionary<Guid, (int Now, int Max)> Concurrency = new();

    public static IReadOnlyList<IWorkflowStep> All => [new Echo(), new Flaky(), new Sleep(), new Sum()];

    private static StepDescriptor Descriptor(string name, StepPort[] inputs, StepPort[] outputs) => new()
    {
        Name = name,
        Title = name,
        Category = "test",
        Inputs = inputs,
        Outputs = outputs,
    };

    /// <summary><c>test.echo</c>: returns <c>doubled</c> = 2 × <c>number</c>, after holding for <c>hold_ms</c>.</summary>
    private sealed class Echo : IWorkflowStep
    {
        public StepDescriptor Descriptor { get; } = TestSteps.Descriptor(
            "test.echo",
            [new("number", DataType.Integer, "a number", Required: true), new("hold_ms", DataType.Integer, "time to hold", Default: JsonValue.Create(0))],
            [new("doubled", DataType.Integer, "2 × number")]);

        public async Task<JsonObject> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var now = Concurrency.AddOrUpdate(context.RunId, (1, 1), (_, c) => (c.Now + 1, Math.Max(c.Max, c.Now + 1)));
            try
            {
                context.Log($"echo {context.GetInteger("number")} (running at once: {now.Now})");
                await Task.Delay(TimeSpan.FromMilliseconds(context.GetInteger("hold_ms")), cancellationToken);
                return new JsonObject { ["doubled"] = 2 * context.GetInteger("number") };
            }
            finally
            {
                Concurrency.AddOrUpdate(context.RunId, (0, 0), (_, c) => (c.Now - 1, c.Max));
            }
        }
    }

    /// <summary><c>test.flaky</c>: throws on attempts 1..<c>fail_times</c>, then succeeds.</summary>
    private sealed class Flaky : IWorkflowStep
    {
        public StepDescriptor Descriptor { get; } = TestSteps.Descriptor(
            "test.flaky",
            [new("fail_times", DataType.Integer, "attempts that fail", Required: true)],
            [new("attempts", DataType.Integer, "the attempt that succeeded")]);

        public Task<JsonObject> ExecuteAsync(StepContext context, CancellationToken cancellationToken) =>
            context.Attempt <= context.GetInteger("fail_times")
                ? throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"planned failure on attempt {context.Attempt}"))
                : Task.FromResult(new JsonObject { ["attempts"] = context.Attempt });
    }

    /// <summary><c>test.sleep</c>: waits <c>seconds</c> on its cancellation token.</summary>
    private sealed class Sleep : IWorkflowStep
    {
        public StepDescriptor Descriptor { get; } = TestSteps.Descriptor(
            "test.sleep",
            [new("seconds", DataType.Number, "how long", Required: true)],
            [new("slept", DataType.Number, "seconds slept")]);

        public async Task<JsonObject> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var seconds = context.GetNumber("seconds");
            await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
            return new JsonObject { ["slept"] = seconds };
        }
    }

    /// <summary><c>test.sum</c>: adds an array of integers.</summary>
    private sealed class Sum : IWorkflowStep
    {
        public StepDescriptor Descriptor { get; } = TestSteps.Descriptor(
            "test.sum",
            [new("values", DataType.Array, "integers", Required: true, ItemType: DataType.Integer)],
            [new("sum", DataType.Integer, "their sum")]);

        public Task<JsonObject> ExecuteAsync(StepContext context, CancellationToken cancellationToken) =>
            Task.FromResult(new JsonObject { ["sum"] = context.Inputs["values"]!.AsArray().Sum(v => v!.GetValue<long>()) });
    }
}
