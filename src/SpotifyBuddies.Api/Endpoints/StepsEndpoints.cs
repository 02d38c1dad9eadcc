using Microsoft.AspNetCore.Http.HttpResults;
using SpotifyBuddies.Workflows.Execution;

namespace SpotifyBuddies.Api.Endpoints;

/// <summary><c>/api/steps</c>: the step catalog (the allow-list workflows can use).</summary>
public static class StepsEndpoints
{
    public static RouteGroupBuilder MapStepsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/steps").WithTags("Steps");
        group.MapGet("/", List)
            .WithName("ListSteps")
            .WithSummary("Every registered step with its inputs, outputs and their JSON Schemas.");
        return group;
    }

    public static Ok<List<StepDescriptorResponse>> List(WorkflowEngine engine) =>
        TypedResults.Ok(engine.Catalog.Descriptors.Select(StepDescriptorResponse.From).ToList());
}
