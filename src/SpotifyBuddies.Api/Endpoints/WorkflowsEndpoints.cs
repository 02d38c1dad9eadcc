using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using SpotifyBuddies.Api.Security;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Execution;

namespace SpotifyBuddies.Api.Endpoints;

/// <summary><c>/api/workflows</c>: the loaded workflows, their definitions and the manual trigger.</summary>
public static class WorkflowsEndpoints
{
    public static RouteGroupBuilder MapWorkflowsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/workflows").WithTags("Workflows");
        group.MapGet("/", ListAsync)
            .WithName("ListWorkflows")
            .WithSummary("The loaded workflows, with their schedule, next scheduled run and last run.");
        group.MapGet("/{name}", Get)
            .WithName("GetWorkflow")
            .WithSummary("A workflow's definition (source text and parsed form) and the descriptors of the steps it uses.");
        group.MapPost("/{name}/runs", StartRunAsync)
            .RequireApiKey()
            .WithName("StartWorkflowRun")
            .WithSummary("Starts a run with parameter overrides; 202 with the run and its location.");
        return group;
    }

    public static async Task<Ok<List<WorkflowSummaryResponse>>> ListAsync(WorkflowEngine engine, CancellationToken cancellationToken)
    {
        var workflows = new List<WorkflowSummaryResponse>();
        foreach (var entry in engine.Workflows.OrderBy(w => w.Name, StringComparer.Ordinal))
        {
            var recent = await engine.ListRunsAsync(new RunQuery { Workflow = entry.Name, Limit = 1 }, cancellationToken);
            var lastRun = recent.Count > 0 ? recent[0] : null;
            workflows.Add(new WorkflowSummaryResponse(
                entry.Name,
                entry.Definition.Metadata.Description,
                entry.Hash,
                ScheduleResponse.From(entry.Definition.Schedule),
                engine.NextScheduledRun(entry.Name),
                LastRunResponse.From(lastRun)));
        }

        return TypedResults.Ok(workflows);
    }

    /// <exception cref="WorkflowNotFoundException">No workflow of that name (404).</exception>
    public static Ok<WorkflowDetailResponse> Get(string name, WorkflowEngine engine)
    {
        var entry = engine.GetWorkflow(name);
        var steps = entry.Definition.Steps
            .Select(s => s.Uses)
            .Distinct(StringComparer.Ordinal)
            .Select(engine.Catalog.Find)
            .OfType<StepDescriptor>()
            .Select(StepDescriptorResponse.From)
            .ToList();
        return TypedResults.Ok(new WorkflowDetailResponse(
            entry.Name,
            entry.Definition.Metadata.Description,
            entry.File,
            entry.Hash,
            ScheduleResponse.From(entry.Definition.Schedule),
            engine.NextScheduledRun(entry.Name),
            entry.Source,
            entry.Definition,
            steps));
    }

    /// <exception cref="WorkflowNotFoundException">404.</exception>
    /// <exception cref="WorkflowParameterException">400: overrides that do not fit the declared parameters.</exception>
    /// <exception cref="WorkflowConflictException">409: concurrency <c>forbid</c> and a run is active.</exception>
    public static async Task<Accepted<RunResponse>> StartRunAsync(
        string name,
        StartRunBody? body,
        HttpContext httpContext,
        WorkflowEngine engine,
        CancellationToken cancellationToken)
    {
        var result = await engine.StartRunAsync(
            new StartRunRequest
            {
                Workflow = name,
                Parameters = body?.Parameters ?? new Dictionary<string, JsonNode?>(),
                Trigger = new RunTrigger(TriggerKinds.Manual, Actor: ApiKeyEndpointFilter.Actor(httpContext)),
            },
            cancellationToken);
        return TypedResults.Accepted(RunsEndpoints.Location(result.Run.Id), RunResponse.From(result.Run));
    }
}
