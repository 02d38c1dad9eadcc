using Hangfire.Dashboard;

namespace SpotifyBuddies.Api.Security;

/// <summary>
/// The Hangfire dashboard's gate: the same API keys as the admin endpoints, presented as <c>X-Api-Key</c>,
/// <c>Authorization: Bearer</c>, or once as <c>?api_key=</c> in the URL, which sets an HttpOnly cookie (holding an
/// HMAC of the key, never the key) so the dashboard's own pages and polling requests work in a browser.
/// Anything else gets 401 (Hangfire's answer when a filter refuses an anonymous user). Never allow-all.
/// </summary>
public sealed class ApiKeyDashboardAuthorizationFilter(ApiKeyValidator validator, ILogger<ApiKeyDashboardAuthorizationFilter> logger)
    : IDashboardAuthorizationFilter
{
    public const string CookieName = "buddies_dashboard";
    public const string QueryParameter = "api_key";

    public bool Authorize(DashboardContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.GetHttpContext();
        if (!validator.HasKeys)
        {
            Log.NoApiKeysRefused(logger, http.Request.Method, http.Request.Path);
            return false;
        }

        if (validator.Match(ApiKeyValidator.PresentedKey(http.Request)) is not null
            || validator.MatchesDashboardToken(http.Request.Cookies[CookieName]))
        {
            return true;
        }

        var queryKey = http.Request.Query[QueryParameter].ToString();
        if (validator.Match(queryKey) is null)
        {
            return false;
        }

        http.Response.Cookies.Append(CookieName, ApiKeyValidator.DashboardToken(queryKey), new CookieOptions
        {
            HttpOnly = true,
            Secure = http.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = http.Request.PathBase.HasValue ? http.Request.PathBase.Value : "/",
        });
        return true;
    }
}
