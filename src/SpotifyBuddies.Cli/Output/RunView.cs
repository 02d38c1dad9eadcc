using System.Text.Json.Nodes;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Workflows.Execution;

namespace SpotifyBuddies.Cli.Output;

/// <summary>A workflow run as the CLI prints it with <c>--json</c>: parameters, inputs and outputs as JSON, not as strings.</summary>
internal sealed record RunView(
    Guid Id,
    string Workflow,
    string Status,
    RunTrigger Trigger,
    string DefinitionHash,
    JsonNode? Parameters,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error,
    IReadOnlyList<RunView.Step> Steps)
{
    public static RunView From(RunDetails details) => new(
        details.Run.Id,
        details.Run.Workflow,
        details.Run.Status.ToString().ToLowerInvariant(),
        details.Run.Trigger,
        details.Run.DefinitionHash,
        Parse(details.Run.ParametersJson),
        details.Run.CreatedAt,
        details.Run.StartedAt,
        details.Run.FinishedAt,
        details.Run.Error,
        [.. details.Steps.Select(s => new Step(
            s.StepId,
            s.Item < 0 ? null : s.Item,
            s.Status == StepStatus.TimedOut ? "timed_out" : s.Status.ToString().ToLowerInvariant(),
            s.Attempt,
            s.Queue,
            s.ItemCount,
            Parse(s.InputsJson),
            Parse(s.OutputsJson),
            s.Error,
            s.StartedAt,
            s.FinishedAt,
            s.Logs))]);

    /// <summary>The outputs of a step (its own row), or an empty object.</summary>
    public JsonObject Outputs(string stepId) =>
        Steps.FirstOrDefault(s => s.Id == stepId && s.Item is null)?.Outputs as JsonObject ?? [];

    private static JsonNode? Parse(string? json) => json is null ? null : JsonNode.Parse(json);

    internal sealed record Step(
        string Id,
        int? Item,
        string Status,
        int Attempt,
        string? Queue,
        int? ItemCount,
        JsonNode? Inputs,
        JsonNode? Outputs,
        string? Error,
        DateTimeOffset? StartedAt,
        DateTimeOffset? FinishedAt,
        string Logs);
}
