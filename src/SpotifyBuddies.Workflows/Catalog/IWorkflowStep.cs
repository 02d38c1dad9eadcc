using System.Text.Json.Nodes;

namespace SpotifyBuddies.Workflows.Catalog;

/// <summary>
/// A step a workflow can use. Registered in DI (<c>services.AddWorkflowStep&lt;T&gt;()</c>) under
/// <see cref="StepDescriptor.Name"/>; the catalog is the allow-list. A step must be idempotent and resumable: it
/// may be run again after a crash with the same inputs and work directory, and must then finish the work
/// rather than redo side effects it already made (reuse complete outputs, resume from checkpoints, look up a
/// registry version it already created).
/// </summary>
public interface IWorkflowStep
{
    StepDescriptor Descriptor { get; }

    /// <summary>Runs the step; returns its outputs (each declared output, by name). Throws to fail the attempt.</summary>
    Task<JsonObject> ExecuteAsync(StepContext context, CancellationToken cancellationToken);
}

/// <summary>What a step execution gets: ids, its evaluated inputs, a work directory of its own, and a log.</summary>
public sealed class StepContext
{
    public required Guid RunId { get; init; }

    public required string Workflow { get; init; }

    public required string StepId { get; init; }

    /// <summary>The foreach item index, or -1 for a plain step.</summary>
    public int Item { get; init; } = -1;

    public int Attempt { get; init; } = 1;

    /// <summary>Evaluated inputs, with the descriptor's defaults filled in.</summary>
    public required JsonObject Inputs { get; init; }

    /// <summary>
    /// A directory that belongs to this step execution (same path on every attempt and after a crash), created
    /// before the step runs: <c>&lt;work root&gt;/runs/&lt;run id&gt;/&lt;step id&gt;[-&lt;item&gt;]</c>.
    /// </summary>
    public required string WorkDirectory { get; init; }

    /// <summary>Writes a line to the step's persisted log (and the process log).</summary>
    public required Action<string> Log { get; init; }

    public string GetString(string name) =>
        Inputs[name]?.GetValue<string>() ?? throw new StepInputException(name, "is required");

    public string? GetOptionalString(string name) => Inputs[name]?.GetValue<string>();

    public long GetInteger(string name) => Inputs[name] is { } v ? v.GetValue<long>() : throw new StepInputException(name, "is required");

    public double GetNumber(string name) => Inputs[name] is { } v ? v.GetValue<double>() : throw new StepInputException(name, "is required");

    public bool GetBoolean(string name) => Inputs[name] is { } v ? v.GetValue<bool>() : throw new StepInputException(name, "is required");
}

/// <summary>A step input that is missing or unusable at run time.</summary>
public sealed class StepInputException(string input, string problem)
    : Exception($"input '{input}' {problem}")
{
    public string Input { get; } = input;
}
