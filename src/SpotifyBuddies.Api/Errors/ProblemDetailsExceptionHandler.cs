using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using SpotifyBuddies.Workflows.Execution;

namespace SpotifyBuddies.Api.Errors;

/// <summary>
/// The one map from exceptions to RFC 7807 ProblemDetails: the engine's not-found (404), parameter (400) and
/// conflict (409) exceptions, and request binding failures (bad JSON, a value that does not parse: 400, or the
/// status the framework chose). Anything else falls through to the default handler (500, no details).
/// </summary>
public sealed class ProblemDetailsExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var problem = exception switch
        {
            WorkflowNotFoundException e => Problem(StatusCodes.Status404NotFound, "Workflow not found", e.Message),
            RunNotFoundException e => Problem(StatusCodes.Status404NotFound, "Run not found", e.Message),
            WorkflowParameterException e => new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["parameters"] = [.. e.Errors] })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "Invalid parameters",
                Detail = e.Message,
            },
            WorkflowConflictException e => Problem(StatusCodes.Status409Conflict, "Conflict", e.Message),
            BadHttpRequestException e => Problem(e.StatusCode, "Bad request", Describe(e)),
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private static ProblemDetails Problem(int status, string title, string detail) =>
        new() { Status = status, Title = title, Detail = detail };

    /// <summary>The framework's message ("Failed to read parameter … as JSON.") and, for JSON, where it broke.</summary>
    private static string Describe(BadHttpRequestException exception) =>
        exception.InnerException is JsonException json ? $"{exception.Message} {json.Message}" : exception.Message;
}
