using SpotifyBuddies.Core.ModelArtifacts;
using SpotifyBuddies.Core.Tracking;

namespace SpotifyBuddies.Workflows.Steps;

/// <summary>
/// Fetches the files of a registered model version to a local directory. A version's source is what
/// <see cref="Models.Ranking.BprTraining"/> and <c>model.register</c> record: the run's artifact URI + <c>/model</c>
/// (also accepted: MLflow's <c>runs:/&lt;run_id&gt;/&lt;path&gt;</c>, or a local directory / <c>file://</c> URI).
/// </summary>
internal static class RegisteredModelFiles
{
    /// <summary>A directory holding the version's model.json and embeddings (downloaded into <paramref name="cacheDirectory"/> when needed).</summary>
    /// <exception cref="StepFailedException">The source is of no known form, or its files cannot be downloaded.</exception>
    public static async Task<string> FetchAsync(IExperimentTracker tracker, ModelVersion version, string cacheDirectory, CancellationToken cancellationToken)
    {
        var what = $"version {version.Version} of '{version.Name}' (source '{version.Source}')";
        if (await ArtifactPathAsync(tracker, version, what, cancellationToken) is not var (runId, path))
        {
            var local = LocalDirectory(version.Source)
                ?? throw new StepFailedException($"cannot load {what}: the source is neither under its run's artifact root, nor runs:/<run_id>/<path>, nor a local directory");
            return Directory.Exists(local)
                ? local
                : throw new StepFailedException($"cannot load {what}: the directory '{local}' does not exist");
        }

        if (File.Exists(Path.Combine(cacheDirectory, ModelManifest.FileName)))
        {
            return cacheDirectory;
        }

        // Downloaded beside the target and renamed into place, so a crash never leaves a half-downloaded model that looks complete.
        var staging = $"{cacheDirectory}.download-{Guid.NewGuid():N}";
        try
        {
            await tracker.DownloadArtifactsAsync(runId, path, staging, cancellationToken);
            if (!File.Exists(Path.Combine(staging, ModelManifest.FileName)))
            {
                throw new StepFailedException($"cannot load {what}: run {runId}'s artifact '{path}' holds no {ModelManifest.FileName}");
            }

            if (Directory.Exists(cacheDirectory))
            {
                Directory.Delete(cacheDirectory, recursive: true);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(cacheDirectory)!);
            Directory.Move(staging, cacheDirectory);
            return cacheDirectory;
        }
        catch (TrackingException ex)
        {
            throw new StepFailedException($"cannot download {what} from {tracker.Location}: {ex.Message}", ex);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static string? LocalDirectory(string source)
    {
        if (source.StartsWith("file://", StringComparison.Ordinal) && Uri.TryCreate(source, UriKind.Absolute, out var uri))
        {
            return uri.LocalPath;
        }

        return Path.IsPathFullyQualified(source) ? source : null;
    }

    /// <summary>The run and artifact path the source names (runs:/…, or under the run's artifact root), or null.</summary>
    private static async Task<(string RunId, string Path)?> ArtifactPathAsync(IExperimentTracker tracker, ModelVersion version, string what, CancellationToken cancellationToken)
    {
        const string runsScheme = "runs:/";
        if (version.Source.StartsWith(runsScheme, StringComparison.Ordinal))
        {
            var rest = version.Source[runsScheme.Length..].TrimStart('/');
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            return slash > 0 ? (rest[..slash], rest[(slash + 1)..]) : (rest, "");
        }

        if (version.RunId is null)
        {
            return null;
        }

        TrackedRun run;
        try
        {
            run = await tracker.GetRunAsync(version.RunId, cancellationToken);
        }
        catch (TrackingNotFoundException ex)
        {
            throw new StepFailedException($"cannot load {what}: its run {version.RunId} is not in {tracker.Location}", ex);
        }

        var root = run.ArtifactUri.TrimEnd('/') + "/";
        return version.Source.StartsWith(root, StringComparison.Ordinal)
            ? (run.RunId, version.Source[root.Length..].TrimEnd('/'))
            : null;
    }
}
