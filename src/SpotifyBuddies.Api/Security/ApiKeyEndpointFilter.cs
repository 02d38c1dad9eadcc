using Microsoft.AspNetCore.Mvc;

namespace SpotifyBuddies.Api.Security;

/// <summary>
/// Lets a request through only with a valid API key (<c>X-Api-Key</c> or <c>Authorization: Bearer</c>); otherwise
/// 401 ProblemDetails. With no keys configured every request is refused, and the log says how to configure one.
/// </summary>
public sealed class ApiKeyEndpointFilter(ApiKeyValidator validator, ILogger<ApiKeyEndpointFilter> logger) : IEndpointFilter
{
    /// <summary>The <see cref="HttpContext.Items"/> key holding the matched key's name (the run trigger's actor).</summary>
    public const string ActorItem = "SpotifyBuddies.ApiKeyActor";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        string detail;
        if (!validator.HasKeys)
        {
            Log.NoApiKeysRefused(logger, http.Request.Method, http.Request.Path);
            detail = "No API keys are configured on this server, so admin requests are refused. Set Api:Keys (e.g. the environment variable Api__Keys__0).";
        }
        else if (ApiKeyValidator.PresentedKey(http.Request) is not { } presented)
        {
            detail = $"This endpoint needs an API key: send it in the {ApiKeyValidator.HeaderName} header or as 'Authorization: Bearer <key>'.";
        }
        else if (validator.Match(presented) is { } actor)
        {
            http.Items[ActorItem] = actor;
            return await next(context);
        }
        else
        {
            detail = "The API key is not valid.";
        }

        http.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(new ProblemDetails
        {
            Status = StatusCodes.Status401Unauthorized,
            Title = "Unauthorized",
            Detail = detail,
            Type = "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        });
    }

    /// <summary>The name of the API key that authorized the request (set by the filter).</summary>
    public static string? Actor(HttpContext context) => context?.Items[ActorItem] as string;
}

/// <summary>Adds <see cref="ApiKeyEndpointFilter"/> to endpoints.</summary>
public static class ApiKeyEndpointConventions
{
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((factory, next) =>
        {
            var filter = ActivatorUtilities.CreateInstance<ApiKeyEndpointFilter>(factory.ApplicationServices);
            return invocation => filter.InvokeAsync(invocation, next);
        });
}
