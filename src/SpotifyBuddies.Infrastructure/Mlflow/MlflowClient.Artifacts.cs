using System.Net.Http.Headers;
using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Infrastructure.Tracking;

namespace SpotifyBuddies.Infrastructure.Mlflow;

// Run artifacts through the tracking server's proxy (mlflow server --serve-artifacts): a run's artifact_uri
// "mlflow-artifacts:/<exp>/<run>/artifacts" maps to /api/2.0/mlflow-artifacts/artifacts/<exp>/<run>/artifacts/<path>
// (PUT raw bytes, GET raw bytes, GET ?path=<dir> to list). Paths are validated with TrackingRules.ValidateArtifactPath,
// so a ".." never reaches the server (which would answer 400, A12/A14).
public sealed partial class MlflowClient
{
    private const string ArtifactsApi = "api/2.0/mlflow-artifacts/artifacts";

    public async Task LogArtifactsAsync(string runId, string localPath, string artifactPath = "", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var files = LocalArtifactFiles.Enumerate(localPath, artifactPath);
        var root = await ArtifactRootAsync(runId, cancellationToken);
        foreach (var (file, relative) in files)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, ArtifactUri(root, relative));
            var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
            // A seekable stream: a retried PUT sends the file again from its start. The server needs a Content-Type (T03).
            request.Content = new StreamContent(stream, 81920);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(GuessContentType(file));
            request.Content.Headers.ContentLength = stream.Length;
            MarkIdempotent(request);
            using var response = await SendAsync(request, $"mlflow-artifacts PUT {relative}", _options.ArtifactTimeout, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<RunArtifact>> ListArtifactsAsync(string runId, string path = "", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var relative = TrackingRules.ValidateArtifactPath(path);
        var root = await ArtifactRootAsync(runId, cancellationToken);
        return await ListDirectoryAsync(root, relative, cancellationToken);
    }

    public async Task DownloadArtifactsAsync(string runId, string artifactPath, string localPath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ArgumentException.ThrowIfNullOrEmpty(localPath);
        var relative = TrackingRules.ValidateArtifactPath(artifactPath);
        var root = await ArtifactRootAsync(runId, cancellationToken);
        if (relative.Length == 0)
        {
            await DownloadDirectoryAsync(root, relative, localPath, cancellationToken);
            return;
        }

        // The parent's listing says whether the path is a file, a directory or nothing; a GET of a missing file
        // would answer 500 (A13), not 404.
        var slash = relative.LastIndexOf('/');
        var parent = slash < 0 ? string.Empty : relative[..slash];
        var entry = (await ListDirectoryAsync(root, parent, cancellationToken)).FirstOrDefault(e => e.Path == relative)
            ?? throw new TrackingNotFoundException($"Run '{runId}' has no artifact at '{relative}' ({root}).");
        if (entry.IsDirectory)
        {
            await DownloadDirectoryAsync(root, relative, localPath, cancellationToken);
        }
        else
        {
            await DownloadFileAsync(root, relative, localPath, cancellationToken);
        }
    }

    private async Task DownloadDirectoryAsync(string root, string relative, string localDirectory, CancellationToken cancellationToken)
    {
        var entries = await ListDirectoryAsync(root, relative, cancellationToken);
        if (entries.Count == 0 && relative.Length > 0)
        {
            throw new TrackingNotFoundException($"No artifacts under '{relative}' ({root}).");
        }

        Directory.CreateDirectory(localDirectory);
        foreach (var entry in entries)
        {
            var name = relative.Length == 0 ? entry.Path : entry.Path[(relative.Length + 1)..];
            var target = Path.Combine(localDirectory, name);
            if (entry.IsDirectory)
            {
                await DownloadDirectoryAsync(root, entry.Path, target, cancellationToken);
            }
            else
            {
                await DownloadFileAsync(root, entry.Path, target, cancellationToken);
            }
        }
    }

    private async Task DownloadFileAsync(string root, string relative, string localFile, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(localFile);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.part");
        using var request = new HttpRequestMessage(HttpMethod.Get, ArtifactUri(root, relative));
        MarkIdempotent(request);
        try
        {
            // Streamed: the proxy answers chunked with no Content-Length (A03/A04).
            using var response = await SendAsync(request, $"mlflow-artifacts GET {relative}", _options.ArtifactTimeout, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            await using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                await using var source = await response.Content.ReadAsStreamAsync(cancellationToken);
                await source.CopyToAsync(target, cancellationToken);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    private async Task<IReadOnlyList<RunArtifact>> ListDirectoryAsync(string root, string relative, CancellationToken cancellationToken)
    {
        var directory = relative.Length == 0 ? root : $"{root}/{relative}";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_base, $"{ArtifactsApi}?path={Uri.EscapeDataString(directory)}"));
        MarkIdempotent(request);
        var listing = await ReadJsonAsync(request, "mlflow-artifacts list", MlflowJson.Default.ListArtifactsResponse, cancellationToken);
        return [.. (listing.Files ?? [])
            .Select(f => new RunArtifact(relative.Length == 0 ? f.Path : $"{relative}/{f.Path}", f.IsDir, f.IsDir ? null : f.FileSize ?? 0))
            .OrderBy(f => f.Path, StringComparer.Ordinal)];
    }

    /// <summary>The proxy path of the run's artifact root, e.g. <c>3/&lt;run_id&gt;/artifacts</c>.</summary>
    private async Task<string> ArtifactRootAsync(string runId, CancellationToken cancellationToken)
    {
        if (!_artifactRoots.TryGetValue(runId, out var uri))
        {
            uri = (await GetRunAsync(runId, cancellationToken)).ArtifactUri;
        }

        return ProxyPath(runId, uri);
    }

    /// <summary>Maps <c>mlflow-artifacts:/x/y</c> or <c>mlflow-artifacts://host:port/x/y</c> to <c>x/y</c>.</summary>
    internal static string ProxyPath(string runId, string artifactUri)
    {
        const string Scheme = "mlflow-artifacts:";
        if (!artifactUri.StartsWith(Scheme, StringComparison.Ordinal))
        {
            throw new TrackingException(
                "INVALID_STATE",
                $"Run '{runId}' keeps its artifacts at '{artifactUri}', which this client cannot reach: it moves artifacts only "
                + "through the tracking server (start it with --serve-artifacts so runs get mlflow-artifacts:/ URIs).");
        }

        var rest = artifactUri[Scheme.Length..];
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            var slash = rest.IndexOf('/', 2);
            rest = slash < 0 ? string.Empty : rest[slash..];
        }

        return rest.Trim('/');
    }

    private Uri ArtifactUri(string root, string relative) =>
        new(_base, $"{ArtifactsApi}/{string.Join('/', $"{root}/{relative}".Split('/').Select(Uri.EscapeDataString))}");

    private static string GuessContentType(string file) => Path.GetExtension(file).ToLowerInvariant() switch
    {
        ".json" => "application/json",
        ".txt" or ".log" or ".md" => "text/plain",
        ".yaml" or ".yml" => "application/x-yaml",
        ".csv" => "text/csv",
        _ => "application/octet-stream",
    };
}
