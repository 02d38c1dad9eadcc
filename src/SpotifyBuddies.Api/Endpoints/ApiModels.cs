using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Definitions;
using SpotifyBuddies.Workflows.Execution;

namespace SpotifyBuddies.Api.Endpoints;

/// <summary>A workflow in <c>GET /api/workflows</c>.</summary>
public sealed record WorkflowSummaryResponse(
    string Name,
    string? Description,
    string DefinitionHash,
    ScheduleResponse? Schedule,
    DateTimeOffset? NextScheduledRun,
    LastRunResponse? LastRun);

public sealed record ScheduleResponse(string Cron, string Timezone)
{
    public static ScheduleResponse? From(ScheduleDefinition? schedule) =>
        schedule is null ? null : new ScheduleResponse(schedule.Cron, schedule.TimeZone);
}

public sealed record LastRunResponse(Guid Id, RunStatus Status, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt)
{
    public static LastRunResponse? From(WorkflowRun? run) =>
        run is null ? null : new LastRunResponse(run.Id, run.Status, run.CreatedAt, run.FinishedAt);
}

/// <summary><c>GET /api/workflows/{name}</c>: the definition as text and as parsed records, and the steps it uses.</summary>
public sealed record WorkflowDetailResponse(
    string Name,
    string? Description,
    string File,
    string DefinitionHash,
    ScheduleResponse? Schedule,
    DateTimeOffset? NextScheduledRun,
    string Source,
    WorkflowDefinition Definition,
    IReadOnlyList<StepDescriptorResponse> Steps);

/// <summary>A registered step: its descriptor and the JSON Schemas of its inputs and outputs.</summary>
public sealed record StepDescriptorResponse(
    string Name,
    string Title,
    string Category,
    string Description,
    string Queue,
    IReadOnlyList<StepPort> Inputs,
    IReadOnlyList<StepPort> Outputs,
    JsonNode? InputSchema,
    JsonNode? OutputSchema)
{
    public static StepDescriptorResponse From(StepDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return new StepDescriptorResponse(
            descriptor.Name,
            descriptor.Title,
            descriptor.Category,
            descriptor.Description,
            descriptor.Queue,
            descriptor.Inputs,
            descriptor.Outputs,
            StepSchemas.Inputs(descriptor),
            StepSchemas.Outputs(descriptor));
    }
}

public sealed record TriggerResponse(string Kind, string? Actor, string? Detail, string? DedupKey);

/// <summary>A run; <see cref="Steps"/> only in <c>GET /api/runs/{id}</c>.</summary>
public sealed record RunResponse(
    Guid Id,
    string Workflow,
    string DefinitionHash,
    string DefinitionFile,
    JsonNode? Parameters,
    TriggerResponse Trigger,
    RunStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<StepResponse>? Steps { get; init; }

    public static RunResponse From(WorkflowRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new RunResponse(
            run.Id,
            run.Workflow,
            run.DefinitionHash,
            run.DefinitionFile,
            ParseJson(run.ParametersJson),
            new TriggerResponse(run.Trigger.Kind, run.Trigger.Actor, run.Trigger.Detail, run.Trigger.DedupKey),
            run.Status,
            run.CreatedAt,
            run.StartedAt,
            run.FinishedAt,
            run.Error);
    }

    public static RunResponse From(RunDetails details)
    {
        ArgumentNullException.ThrowIfNull(details);
        return From(details.Run) with { Steps = [.. details.Steps.Select(StepResponse.From)] };
    }

    internal static JsonNode? ParseJson(string? json) => string.IsNullOrWhiteSpace(json) ? null : JsonNode.Parse(json);
}

/// <summary>One step execution of a run; <see cref="Item"/> is null for a step's own row, the index for a foreach item.</summary>
public sealed record StepResponse(
    string StepId,
    int? Item,
    StepStatus Status,
    int Attempt,
    string? Queue,
    string? JobId,
    int? ItemCount,
    JsonNode? Inputs,
    JsonNode? Outputs,
    string Logs,
    string? Error,
    DateTimeOffset? QueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt)
{
    public static StepResponse From(StepExecution step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return new StepResponse(
            step.StepId,
            step.Item == StepExecution.StepRow ? null : step.Item,
            step.Status,
            step.Attempt,
            step.Queue,
            step.JobId,
            step.ItemCount,
            RunResponse.ParseJson(step.InputsJson),
            RunResponse.ParseJson(step.OutputsJson),
            step.Logs,
            step.Error,
            step.QueuedAt,
            step.StartedAt,
            step.FinishedAt);
    }
}

/// <summary>The body of <c>POST /api/workflows/{name}/runs</c> (optional).</summary>
public sealed record StartRunBody
{
    public Dictionary<string, JsonNode?>? Parameters { get; init; }
}

/// <summary>The body of <c>POST /api/runs/{id}/cancel</c> (optional).</summary>
public sealed record CancelRunBody
{
    public string? Reason { get; init; }
}

/// <summary>What <c>POST /api/webhooks/alertmanager</c> did with each firing alert and matching workflow.</summary>
public sealed record WebhookResponse(int Alerts, int Firing, IReadOnlyList<WebhookRunResponse> Runs);

/// <param name="Outcome"><c>started</c>, <c>duplicate</c> (the alert was seen before: <see cref="RunId"/> is that run) or <c>refused</c>.</param>
public sealed record WebhookRunResponse(string Workflow, string AlertName, string Fingerprint, string Outcome, Guid? RunId, string? Detail);
