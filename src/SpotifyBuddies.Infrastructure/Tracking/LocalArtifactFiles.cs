using SpotifyBuddies.Core.Tracking;

namespace SpotifyBuddies.Infrastructure.Tracking;

/// <summary>The files <c>LogArtifactsAsync</c> uploads, with their artifact paths, for both backends.</summary>
public static class LocalArtifactFiles
{
    /// <summary>
    /// A file goes to <c>&lt;artifactPath&gt;/&lt;file name&gt;</c>; a directory's files (recursively, in ordinal order of
    /// their relative paths) go to <c>&lt;artifactPath&gt;/&lt;relative path&gt;</c> (MLflow's log_artifact and log_artifacts).
    /// Every artifact path is validated before anything is uploaded.
    /// </summary>
    /// <exception cref="FileNotFoundException"><paramref name="localPath"/> is neither a file nor a directory.</exception>
    /// <exception cref="TrackingException">An artifact path breaks the artifact key rules (e.g. a space in a file name).</exception>
    public static IReadOnlyList<(string File, string ArtifactPath)> Enumerate(string localPath, string artifactPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(localPath);
        var root = TrackingRules.ValidateArtifactPath(artifactPath);
        var full = Path.GetFullPath(localPath);
        List<(string File, string Relative)> files;
        if (File.Exists(full))
        {
            files = [(full, Path.GetFileName(full))];
        }
        else if (Directory.Exists(full))
        {
            files = [.. Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
                .Select(f => (f, Path.GetRelativePath(full, f).Replace(Path.DirectorySeparatorChar, '/')))
                .OrderBy(f => f.Item2, StringComparer.Ordinal)];
        }
        else
        {
            throw new FileNotFoundException($"Nothing to log: '{full}' is neither a file nor a directory.", full);
        }

        return [.. files.Select(f => (f.File, TrackingRules.ValidateArtifactPath(root.Length == 0 ? f.Relative : $"{root}/{f.Relative}")))];
    }
}
