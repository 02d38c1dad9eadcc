using SpotifyBuddies.Api.Composition;

var builder = WebApplication.CreateBuilder(args);
builder.AddBuddiesApi();

var app = builder.Build();
app.UseBuddiesApi();
app.MapGet("/health", () => TypedResults.Ok(new { status = "ok" })).WithName("Health");

await app.RunAsync();

/// <summary>Entry point marker for WebApplicationFactory.</summary>
public partial class Program;
