using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SpotifyBuddies.Infrastructure.Tests.Mlflow;

/// <summary>
/// An in-process fake MLflow server that replays recorded exchanges. A test names the exchanges it expects (its
/// script); each request is answered by the first unused exchange of the script that it matches, and a request that
/// matches none fails the test. <see cref="AssertComplete"/> then checks every scripted exchange was used, so the client
/// made exactly the recorded requests. The recorded ids come back in the responses, so the client sends them back and
/// requests match exactly.
/// </summary>
/// <remarks>
/// A request matches when method, path, query (as decoded pairs, in any order), Content-Type (media type) and body
/// agree: JSON bodies as JSON values (object key order and number spelling aside; the order of <c>tags</c> lists is
/// ignored, and a missing <c>run_view_type</c> is the proto default ACTIVE_ONLY); raw uploads byte for byte (or by
/// size and SHA-256 where the recording kept only those). An id may appear more than once in a script for a read that
/// is repeated.
/// </remarks>
internal sealed class MlflowReplayHandler : HttpMessageHandler
{
    private readonly RecordedSession _session;
    private readonly List<(RecordedExchange Exchange, bool Used)> _script;
    private readonly List<string> _problems = [];
    private readonly Lock _gate = new();

    public MlflowReplayHandler(RecordedSession session, IEnumerable<string> script)
    {
        _session = session;
        _script = [.. script.Select(id => (session[id], false))];
    }

    public List<string> Served { get; } = [];

    public void AssertComplete()
    {
        lock (_gate)
        {
            var unused = _script.Where(s => !s.Used).Select(s => s.Exchange.ToString()).ToList();
            Assert.True(_problems.Count == 0, $"MLflow {_session.Version} replay: unmatched requests:\n{string.Join("\n", _problems)}");
            Assert.True(unused.Count == 0, $"MLflow {_session.Version} replay: the client never sent\n{string.Join("\n", unused)}\nServed: {string.Join(", ", Served)}");
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        lock (_gate)
        {
            var reasons = new List<string>();
            for (var i = 0; i < _script.Count; i++)
            {
                var (exchange, used) = _script[i];
                if (used)
                {
                    continue;
                }

                var mismatch = Mismatch(exchange, request, body);
                if (mismatch is null)
                {
                    _script[i] = (exchange, true);
                    Served.Add(exchange.Id);
                    return Respond(exchange, request);
                }

                if (exchange.Method == request.Method.Method && exchange.Path == Uri.UnescapeDataString(request.RequestUri!.AbsolutePath))
                {
                    reasons.Add($"  not {exchange.Id}: {mismatch}");
                }
            }

            var problem = $"{request.Method} {request.RequestUri} body {Describe(body)}\n{string.Join("\n", reasons)}";
            _problems.Add(problem);
            throw new InvalidOperationException($"MLflow {_session.Version} replay: no scripted exchange matches {problem}");
        }
    }

    /// <summary>Null when the request is the recorded one, else why not.</summary>
    public static string? Mismatch(RecordedExchange exchange, HttpRequestMessage request, byte[] body)
    {
        if (exchange.Method != request.Method.Method)
        {
            return $"method {request.Method} (recorded {exchange.Method})";
        }

        var path = Uri.UnescapeDataString(request.RequestUri!.AbsolutePath);
        if (exchange.Path != path)
        {
            return $"path {path} (recorded {exchange.Path})";
        }

        var query = ParseQuery(request.RequestUri.Query);
        var recordedQuery = exchange.Query.OrderBy(q => q.Key, StringComparer.Ordinal).ThenBy(q => q.Value, StringComparer.Ordinal).ToList();
        if (!query.SequenceEqual(recordedQuery))
        {
            return $"query {string.Join('&', query)} (recorded {string.Join('&', recordedQuery)})";
        }

        var contentType = request.Content?.Headers.ContentType?.MediaType;
        var recordedType = exchange.RequestContentType is { } t ? MediaTypeHeaderValue.Parse(t).MediaType : null;
        if (!string.Equals(contentType, recordedType, StringComparison.Ordinal) && !(recordedType is null && body.Length == 0))
        {
            return $"Content-Type {contentType ?? "(none)"} (recorded {recordedType ?? "(none)"})";
        }

        var recorded = exchange.Request;
        if (recorded.TryGetProperty("body", out var json))
        {
            JsonElement actual;
            try
            {
                using var document = JsonDocument.Parse(body);
                actual = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return $"body is not JSON: {Describe(body)}";
            }

            return JsonMismatch(json, actual, "$", exchange.Path);
        }

        if (recorded.TryGetProperty("body_text", out var text))
        {
            var expected = Encoding.UTF8.GetBytes(text.GetString()!);
            return expected.AsSpan().SequenceEqual(body) ? null : $"raw body {Describe(body)} (recorded {Describe(expected)})";
        }

        if (recorded.TryGetProperty("body_sha256", out var sha))
        {
            var size = recorded.GetProperty("body_size").GetInt64();
            var actualSha = Convert.ToHexStringLower(SHA256.HashData(body));
            return body.Length == size && actualSha == sha.GetString() ? null : $"body of {body.Length} bytes, SHA-256 {actualSha} (recorded {size} bytes, {sha.GetString()})";
        }

        return body.Length == 0 ? null : $"a body of {body.Length} bytes (recorded none)";
    }

    private static List<(string Key, string Value)> ParseQuery(string query) =>
        [.. query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(kv => (Uri.UnescapeDataString(kv[0]), kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : string.Empty))
            .OrderBy(q => q.Item1, StringComparer.Ordinal).ThenBy(q => q.Item2, StringComparer.Ordinal)];

    private static string? JsonMismatch(JsonElement recorded, JsonElement actual, string where, string endpoint)
    {
        if (recorded.ValueKind == JsonValueKind.Number && actual.ValueKind == JsonValueKind.Number)
        {
            return recorded.GetDouble() == actual.GetDouble() ? null : $"{where} = {actual.GetRawText()} (recorded {recorded.GetRawText()})";
        }

        if (recorded.ValueKind != actual.ValueKind)
        {
            return $"{where} is {actual.ValueKind} (recorded {recorded.ValueKind})";
        }

        switch (recorded.ValueKind)
        {
            case JsonValueKind.Object:
                var left = WithDefaults(recorded, endpoint);
                var right = WithDefaults(actual, endpoint);
                foreach (var key in left.Keys.Union(right.Keys).Order(StringComparer.Ordinal))
                {
                    if (!left.TryGetValue(key, out var l))
                    {
                        return $"{where}.{key} is sent but was not recorded";
                    }

                    if (!right.TryGetValue(key, out var r))
                    {
                        return $"{where}.{key} is missing (recorded {l.GetRawText()})";
                    }

                    if (JsonMismatch(l, r, $"{where}.{key}", endpoint) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var a = recorded.EnumerateArray().ToList();
                var b = actual.EnumerateArray().ToList();
                if (a.Count != b.Count)
                {
                    return $"{where} has {b.Count} items (recorded {a.Count})";
                }

                if (where.EndsWith(".tags", StringComparison.Ordinal))
                {
                    // Tag order means nothing to MLflow.
                    a = [.. a.OrderBy(Canonical, StringComparer.Ordinal)];
                    b = [.. b.OrderBy(Canonical, StringComparer.Ordinal)];
                }

                for (var i = 0; i < a.Count; i++)
                {
                    if (JsonMismatch(a[i], b[i], $"{where}[{i}]", endpoint) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            default:
                return recorded.GetRawText() == actual.GetRawText() || recorded.ToString() == actual.ToString()
                    ? null
                    : $"{where} = {actual.GetRawText()} (recorded {recorded.GetRawText()})";
        }
    }

    private static Dictionary<string, JsonElement> WithDefaults(JsonElement element, string endpoint)
    {
        var properties = element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        if (endpoint.EndsWith("/runs/search", StringComparison.Ordinal) && !properties.ContainsKey("run_view_type"))
        {
            properties["run_view_type"] = JsonDocument.Parse("\"ACTIVE_ONLY\"").RootElement.Clone();
        }

        return properties;
    }

    private static string Canonical(JsonElement element) => JsonSerializer.Serialize(element);

    private static HttpResponseMessage Respond(RecordedExchange exchange, HttpRequestMessage request)
    {
        var response = new HttpResponseMessage((HttpStatusCode)exchange.Status)
        {
            RequestMessage = request,
            ReasonPhrase = exchange.Response.GetProperty("reason").GetString(),
            Content = new ByteArrayContent(exchange.ResponseBytes()),
        };
        if (exchange.Response.TryGetProperty("headers", out var headers))
        {
            foreach (var header in headers.EnumerateObject())
            {
                if (header.Name == "Content-Type")
                {
                    response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(header.Value.GetString()!);
                }
                else if (header.Name is "Content-Disposition")
                {
                    response.Content.Headers.TryAddWithoutValidation(header.Name, header.Value.GetString());
                }
                else if (header.Name is not ("Content-Length" or "Transfer-Encoding"))
                {
                    response.Headers.TryAddWithoutValidation(header.Name, header.Value.GetString());
                }
            }
        }

        return response;
    }

    private static string Describe(byte[] body) =>
        body.Length == 0 ? "(none)"
        : body.Length <= 300 ? Encoding.UTF8.GetString(body)
        : $"{Encoding.UTF8.GetString(body, 0, 300)}… ({body.Length} bytes)";
}
