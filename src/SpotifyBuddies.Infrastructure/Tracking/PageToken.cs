using System.Text;
using System.Text.Json;
using SpotifyBuddies.Core.Tracking;

namespace SpotifyBuddies.Infrastructure.Tracking;

/// <summary>
/// The local tracker's page tokens: base64 of <c>{"offset": N}</c>, as MLflow's stores write them. Callers treat them
/// as opaque; a token that does not decode is refused like MLflow refuses it.
/// </summary>
public static class PageToken
{
    public static string Encode(int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"offset\": {offset}}}"));

    /// <returns>0 for a null or empty token.</returns>
    /// <exception cref="TrackingException">The token is not one this tracker wrote.</exception>
    public static int Decode(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return 0;
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(token);
        }
        catch (FormatException)
        {
            throw TrackingRules.Invalid("Invalid page token, could not base64-decode");
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("offset", out var offset)
                && offset.TryGetInt32(out var value)
                && value >= 0)
            {
                return value;
            }
        }
        catch (JsonException)
        {
            // Falls through to the error below.
        }

        throw TrackingRules.Invalid("Invalid page token: it holds no offset.");
    }
}
