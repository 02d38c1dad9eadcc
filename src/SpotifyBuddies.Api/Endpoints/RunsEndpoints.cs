using Microsoft.AspNetCore.Http.HttpResults;
using SpotifyBuddies.Api.Security;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Workflows.Execution;

namespace SpotifyBuddies.Api.Endpoints;

/// <summary><c>/api/runs</c>: list and read runs (with step states and logs), cancel, retry from the failed step.</summary>
public static class RunsEndpoints
{
    public const int MaxLimit = 1000;

    public static RouteGroupBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/runs").WithTags("Runs");
        group.MapGet("/", ListAsync)
            .WithName("ListRuns")
            .WithSummary("Runs, newest first; filter by workflow and status (comma-separated), at most limit (1–1000, default 50).");
        group.MapGet("/{id:guid}", GetAsync)
            .WithName("GetRun")
            .WithSummary("A run with its step executions: status, attempt, inputs, outputs, logs, error and times.");
        group.MapPost("/{id:guid}/cancel", CancelAsync)
            .RequireApiKey()
            .WithName("CancelRun")
            .WithSummary("Cancels a run that has not ended; 409 when it has.");
        group.MapPost("/{id:guid}/retry", RetryAsync)
            .RequireApiKey()
            .WithName("RetryRun")
            .WithSummary("Resumes a failed or cancelled run from its failed steps; 409 otherwise.");
        return group;
    }

    /// <summary>Where a run can be read.</summary>
    public static string Location(Guid runId) => $"/api/runs/{runId}";

    public static async Task<Results<Ok<List<RunResponse>>, ValidationProblem>> ListAsync(
        string? workflow,
        string? status,
        int? limit,
        WorkflowEngine engine,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var statuses = ParseStatuses(status, errors);
        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"limit must be between 1 and {MaxLimit}, not {limit}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid run query");
        }

        var query = new RunQuery { Workflow = string.IsNullOrWhiteSpace(workflow) ? null : workflow, Statuses = statuses, Limit = limit ?? 50 };
        var runs = await engine.ListRunsAsync(query, cancellationToken);
        return TypedResults.Ok(runs.Select(RunResponse.From).ToList());
    }

    /// <exception cref="RunNotFoundException">404.</exception>
    public static async Task<Ok<RunResponse>> GetAsync(Guid id, WorkflowEngine engine, CancellationToken cancellationToken) =>
        TypedResults.Ok(RunResponse.From(await engine.GetRunAsync(id, cancellationToken)));

    /// <exception cref="RunNotFoundException">404.</exception>
    /// <exception cref="WorkflowConflictException">409: the run has ended already.</exception>
    public static async Task<Ok<RunResponse>> CancelAsync(Guid id, CancelRunBody? body, HttpContext httpContext, WorkflowEngine engine, CancellationToken cancellationToken)
    {
        var reason = body?.Reason ?? $"cancelled through the API ({ApiKeyEndpointFilter.Actor(httpContext)})";
        return TypedResults.Ok(RunResponse.From(await engine.CancelRunAsync(id, reason, cancellationToken)));
    }

    /// <exception cref="RunNotFoundException">404.</exception>
    /// <exception cref="WorkflowConflictException">409: the run is not failed or cancelled.</exception>
    public static async Task<Accepted<RunResponse>> RetryAsync(Guid id, WorkflowEngine engine, CancellationToken cancellationToken)
    {
        var run = await engine.RetryRunAsync(id, cancellationToken);
        return TypedResults.Accepted(Location(run.Id), RunResponse.From(run));
    }

    private static List<RunStatus>? ParseStatuses(string? value, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var statuses = new List<RunStatus>();
        var unknown = new List<string>();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part.All(char.IsAsciiLetter) && Enum.TryParse<RunStatus>(part, ignoreCase: true, out var parsed))
            {
                statuses.Add(parsed);
            }
            else
            {
                unknown.Add(part);
            }
        }

        if (unknown.Count > 0)
        {
            var known = string.Join(", ", Enum.GetNames<RunStatus>().Select(n => n.ToLowerInvariant()));
            errors["status"] = [.. unknown.Select(u => $"'{u}' is not a run status (use {known}, comma-separated).")];
        }

        return statuses;
    }
}
