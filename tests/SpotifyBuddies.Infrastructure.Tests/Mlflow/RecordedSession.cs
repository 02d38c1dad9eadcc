using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SpotifyBuddies.Infrastructure.Tests.Mlflow;

/// <summary>
/// The exchanges recorded from one real MLflow server (Fixtures/v&lt;version&gt;/*.json; see Fixtures/README.md): five
/// files from one server run, so ids carry across them. Exchanges are looked up by their id (E01, R25, G21, …).
/// </summary>
internal sealed class RecordedSession
{
    public const string V2_12_2 = "2.12.2";
    public const string V2_17_2 = "2.17.2";

    private static readonly string[] Files = ["transport", "experiments", "runs", "artifacts", "registry"];
    private static readonly ConcurrentDictionary<string, RecordedSession> Cache = new(StringComparer.Ordinal);

    private RecordedSession(string version, IReadOnlyDictionary<string, RecordedExchange> exchanges, IReadOnlyDictionary<string, string> bindings)
    {
        Version = version;
        Exchanges = exchanges;
        Bindings = bindings;
    }

    public static IEnumerable<object[]> Versions => [[V2_12_2], [V2_17_2]];

    public string Version { get; }

    public IReadOnlyDictionary<string, RecordedExchange> Exchanges { get; }

    /// <summary>The dynamic values of the recording (run ids, experiment id, page tokens), merged over the files.</summary>
    public IReadOnlyDictionary<string, string> Bindings { get; }

    public RecordedExchange this[string id] =>
        Exchanges.TryGetValue(id, out var exchange) ? exchange : throw new KeyNotFoundException($"No exchange {id} in the {Version} recordings.");

    public static RecordedSession Load(string version) => Cache.GetOrAdd(version, v =>
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "Mlflow", "Fixtures", "v" + v);
        var exchanges = new Dictionary<string, RecordedExchange>(StringComparer.Ordinal);
        var bindings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Files)
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, file + ".json")));
            foreach (var binding in document.RootElement.GetProperty("bindings").EnumerateObject())
            {
                bindings[$"{file}.{binding.Name}"] = binding.Value.GetString()!;
            }

            foreach (var exchange in document.RootElement.GetProperty("exchanges").EnumerateArray())
            {
                var parsed = new RecordedExchange(exchange.Clone());
                exchanges.Add(parsed.Id, parsed);
            }
        }

        return new RecordedSession(v, exchanges, bindings);
    });
}

/// <summary>One recorded request and the server's answer.</summary>
internal sealed class RecordedExchange(JsonElement json)
{
    public string Id => json.GetProperty("id").GetString()!;

    public string Title => json.GetProperty("title").GetString()!;

    public JsonElement Request => json.GetProperty("request");

    public JsonElement Response => json.GetProperty("response");

    public string Method => Request.GetProperty("method").GetString()!;

    public string Path => Request.GetProperty("path").GetString()!;

    public IReadOnlyList<(string Key, string Value)> Query =>
        Request.TryGetProperty("query", out var query)
            ? [.. query.EnumerateArray().Select(pair => (pair[0].GetString()!, pair[1].GetString()!))]
            : [];

    public string? RequestContentType =>
        Request.TryGetProperty("headers", out var headers) && headers.TryGetProperty("Content-Type", out var type) ? type.GetString() : null;

    public int Status => Response.GetProperty("status").GetInt32();

    /// <summary>The JSON body of the response (null when it was not JSON or not stored).</summary>
    public JsonElement? ResponseJson => Response.TryGetProperty("body", out var body) ? body : null;

    /// <summary>The response body as the server sent it.</summary>
    public byte[] ResponseBytes()
    {
        if (Response.TryGetProperty("body_text", out var text))
        {
            return Encoding.UTF8.GetBytes(text.GetString()!);
        }

        if (Id == "A04")
        {
            // Not stored: the README says it is byte-identical to the A02 upload, whose content is a formula.
            var bytes = ThreeMebibytes();
            Assert.Equal(Response.GetProperty("body_sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
            return bytes;
        }

        if (Response.TryGetProperty("body", out var body))
        {
            return JsonSerializer.SerializeToUtf8Bytes(body);
        }

        throw new InvalidOperationException($"{Id}: the recording does not keep this response's body, so it cannot be replayed.");
    }

    /// <summary>The 3 MiB artifact of A02/A04: byte i = (i * 31 + 7) % 251.</summary>
    public static byte[] ThreeMebibytes()
    {
        var bytes = new byte[3 * 1024 * 1024];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(((long)i * 31 + 7) % 251);
        }

        return bytes;
    }

    public override string ToString() => $"{Id} {Method} {Path} ({Title})";
}
