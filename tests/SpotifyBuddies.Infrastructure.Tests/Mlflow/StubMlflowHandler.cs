using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SpotifyBuddies.Infrastructure.Mlflow;

namespace SpotifyBuddies.Infrastructure.Tests.Mlflow;

/// <summary>A request the stub received, with its body read.</summary>
internal sealed record SentRequest(HttpMethod Method, Uri Uri, string? ContentType, byte[] Body, HttpRequestHeaders Headers)
{
    public string Path => Uri.AbsolutePath;

    public string Text => Encoding.UTF8.GetString(Body);

    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();
}

/// <summary>
/// A fake MLflow that answers each request with a function's response and keeps every request, for tests of request
/// shapes and of how recorded answers are read when the exact recorded request cannot be replayed.
/// </summary>
internal sealed class StubMlflowHandler(Func<SentRequest, int, HttpResponseMessage> respond) : HttpMessageHandler
{
    private readonly Lock _gate = new();

    public List<SentRequest> Requests { get; } = [];

    /// <summary>Answers with the recorded responses of <paramref name="ids"/>, one per request, in order.</summary>
    public static StubMlflowHandler Recorded(RecordedSession session, params string[] ids) =>
        new((_, i) => i < ids.Length ? Response(session[ids[i]]) : throw new InvalidOperationException($"Request {i + 1} was not expected (only {ids.Length} answers: {string.Join(", ", ids)})."));

    public static HttpResponseMessage Response(RecordedExchange exchange)
    {
        var response = new HttpResponseMessage((HttpStatusCode)exchange.Status) { Content = new ByteArrayContent(exchange.ResponseBytes()) };
        if (exchange.Response.TryGetProperty("headers", out var headers) && headers.TryGetProperty("Content-Type", out var type))
        {
            response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(type.GetString()!);
        }

        return response;
    }

    public static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    public MlflowClient Client(Action<MlflowOptions>? configure = null)
    {
        var options = new MlflowOptions { TrackingUri = "http://mlflow.test/", UserId = "fixture-user", MaxRetries = 0 };
        configure?.Invoke(options);
        return new MlflowClient(new HttpClient(this), Options.Create(options));
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        SentRequest sent;
        int index;
        lock (_gate)
        {
            sent = new SentRequest(request.Method, request.RequestUri!, request.Content?.Headers.ContentType?.MediaType, body, request.Headers);
            Requests.Add(sent);
            index = Requests.Count - 1;
        }

        var response = respond(sent, index);
        response.RequestMessage = request;
        return response;
    }
}
