using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace SpotifyBuddies.Api.Security;

/// <summary>
/// Checks a presented API key against <see cref="ApiKeyOptions.Keys"/> in constant time: both sides are hashed
/// (SHA-256) and every configured key is compared, so neither the length nor the position of a match leaks.
/// </summary>
public sealed class ApiKeyValidator(IOptionsMonitor<ApiKeyOptions> options)
{
    public const string HeaderName = "X-Api-Key";

    private static readonly byte[] DashboardPurpose = "spotifybuddies:hangfire-dashboard:v1"u8.ToArray();

    /// <summary>Whether any key is configured; without one, every admin request is refused.</summary>
    public bool HasKeys => options.CurrentValue.Keys.Count > 0;

    /// <summary>The key in <c>X-Api-Key</c>, else in <c>Authorization: Bearer</c>, else null.</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Headers[HeaderName] is { Count: > 0 } header && !string.IsNullOrEmpty(header[0]))
        {
            return header[0];
        }

        var authorization = request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        return authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) && authorization.Length > Bearer.Length
            ? authorization[Bearer.Length..].Trim()
            : null;
    }

    /// <summary>The name of the matching key (<c>api-key-1</c>, … by position), or null when none matches.</summary>
    public string? Match(string? presented)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return null;
        }

        var presentedHash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var keys = options.CurrentValue.Keys;
        var match = -1;
        for (var i = 0; i < keys.Count; i++)
        {
            var keyHash = SHA256.HashData(Encoding.UTF8.GetBytes(keys[i]));
            if (CryptographicOperations.FixedTimeEquals(presentedHash, keyHash) && match < 0)
            {
                match = i;
            }
        }

        return match < 0 ? null : KeyName(match);
    }

    /// <summary>
    /// The dashboard cookie's value for a key: an HMAC of a fixed purpose string under the key, so the browser never
    /// holds the key itself, and changing the configured keys invalidates old cookies.
    /// </summary>
    public static string DashboardToken(string key) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), DashboardPurpose));

    /// <summary>Whether <paramref name="token"/> is the dashboard token of a configured key.</summary>
    public bool MatchesDashboardToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }

        var presented = Encoding.UTF8.GetBytes(token);
        var found = false;
        foreach (var key in options.CurrentValue.Keys)
        {
            found |= CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(DashboardToken(key)));
        }

        return found;
    }

    private static string KeyName(int index) => string.Create(CultureInfo.InvariantCulture, $"api-key-{index + 1}");
}
