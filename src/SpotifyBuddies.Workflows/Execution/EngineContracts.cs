using System.Text.Json.Nodes;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Workflows.Definitions;

namespace SpotifyBuddies.Workflows.Execution;

/// <summary>A workflow the engine knows (loaded and valid), with its definition's version.</summary>
/// <param name="Source">The file's text; <see cref="Hash"/> is its SHA-256 (hex).</param>
public sealed record WorkflowEntry(WorkflowDefinition Definition, string File, string Source, string Hash)
{
    public string Name => Definition.Name;
}

/// <summary>What the engine's StartRunAsync did.</summary>
/// <param name="Duplicate">True when a webhook's de-duplication key was seen before: no new run, <see cref="Run"/> is the earlier one.</param>
public sealed record StartRunResult(WorkflowRun Run, bool Duplicate = false);

/// <summary>A run with its step executions.</summary>
public sealed record RunDetails(WorkflowRun Run, IReadOnlyList<StepExecution> Steps);

/// <summary>A request to start a run.</summary>
public sealed record StartRunRequest
{
    public required string Workflow { get; init; }

    /// <summary>Parameter overrides by name (checked against the declared types).</summary>
    public IReadOnlyDictionary<string, JsonNode?> Parameters { get; init; } = new Dictionary<string, JsonNode?>();

    public required RunTrigger Trigger { get; init; }
}

/// <summary>No workflow of that name is loaded.</summary>
public sealed class WorkflowNotFoundException(string workflow)
    : Exception($"no workflow named '{workflow}'")
{
    public string Workflow { get; } = workflow;
}

/// <summary>No run with that id.</summary>
public sealed class RunNotFoundException(Guid runId)
    : Exception($"no run with id '{runId}'")
{
    public Guid RunId { get; } = runId;
}

/// <summary>The request conflicts with a run's state or the workflow's concurrency policy (HTTP 409).</summary>
public sealed class WorkflowConflictException(string message) : Exception(message);

/// <summary>Parameter overrides that do not fit the declared parameters (HTTP 400); one message per problem.</summary>
public sealed class WorkflowParameterException(IReadOnlyList<string> errors)
    : Exception(string.Join("; ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
