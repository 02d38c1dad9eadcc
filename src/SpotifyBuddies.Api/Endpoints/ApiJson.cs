using System.Text.Json;
using System.Text.Json.Serialization;

namespace SpotifyBuddies.Api.Endpoints;

/// <summary>The API's JSON: snake_case names and enum values (<c>"timed_out"</c>), nulls written.</summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    }
}
