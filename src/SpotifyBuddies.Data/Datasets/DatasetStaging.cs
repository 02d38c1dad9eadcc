namespace SpotifyBuddies.Data.Datasets;

/// <summary>The output directory exists and is not empty, and replacing it was not asked for.</summary>
public sealed class DatasetExistsException(string path)
    : IOException($"'{path}' already exists and is not empty; pass --force (force: true) to replace it.")
{
    public string DatasetPath { get; } = path;
}

/// <summary>
/// Writes a dataset atomically: everything goes into a hidden sibling <c>.&lt;name&gt;.tmp-&lt;random&gt;</c> that is
/// renamed into place by <see cref="Commit"/>. A crash or an exception leaves at most that temporary directory
/// (whose name says it is incomplete), never a half-written dataset under the real name. With <c>force</c>, an
/// existing dataset is replaced only once the new one is complete.
/// </summary>
public sealed class DatasetStaging : IDisposable
{
    private bool _committed;

    private DatasetStaging(string target, string directory, bool force)
    {
        Target = target;
        Directory = directory;
        Force = force;
    }

    /// <summary>The final dataset directory (absolute).</summary>
    public string Target { get; }

    /// <summary>The temporary directory to write into.</summary>
    public string Directory { get; }

    public bool Force { get; }

    /// <summary>
    /// Checks <paramref name="outputDir"/> (refused when it is a file, or a non-empty directory without
    /// <paramref name="force"/>) and creates the temporary sibling.
    /// </summary>
    /// <exception cref="DatasetExistsException">The directory exists, is not empty, and <paramref name="force"/> is false.</exception>
    public static DatasetStaging Begin(string outputDir, bool force)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDir);
        var target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputDir));
        CheckTarget(target, force);
        var parent = Path.GetDirectoryName(target) ?? throw new IOException($"Cannot write a dataset to the file-system root '{target}'.");
        System.IO.Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.tmp-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(staging);
        return new DatasetStaging(target, staging, force);
    }

    /// <summary>Whether <paramref name="path"/> is an existing directory with something in it.</summary>
    public static bool IsNonEmptyDirectory(string path) =>
        System.IO.Directory.Exists(path) && System.IO.Directory.EnumerateFileSystemEntries(path).Any();

    /// <summary>Path of a file inside the temporary directory.</summary>
    public string PathOf(string relativeName) => Path.Combine(Directory, relativeName);

    /// <summary>Renames the temporary directory into place (swapping out an existing dataset when forced).</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_committed, this);
        CheckTarget(Target, Force);
        if (System.IO.Directory.Exists(Target) && !IsNonEmptyDirectory(Target))
        {
            System.IO.Directory.Delete(Target);
        }

        if (!System.IO.Directory.Exists(Target))
        {
            System.IO.Directory.Move(Directory, Target);
            _committed = true;
            return;
        }

        // Swap: the old dataset steps aside first, so a failure can put it back.
        var parent = Path.GetDirectoryName(Target)!;
        var retired = Path.Combine(parent, $".{Path.GetFileName(Target)}.old-{Guid.NewGuid():N}");
        System.IO.Directory.Move(Target, retired);
        try
        {
            System.IO.Directory.Move(Directory, Target);
        }
        catch (IOException)
        {
            System.IO.Directory.Move(retired, Target);
            throw;
        }

        _committed = true;
        TryDelete(retired);
    }

    /// <summary>Deletes the temporary directory unless it was committed.</summary>
    public void Dispose()
    {
        if (!_committed)
        {
            _committed = true;
            TryDelete(Directory);
        }
    }

    private static void CheckTarget(string target, bool force)
    {
        if (File.Exists(target))
        {
            throw new IOException($"Cannot write a dataset to '{target}': it is a file.");
        }

        if (!force && IsNonEmptyDirectory(target))
        {
            throw new DatasetExistsException(target);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (System.IO.Directory.Exists(path))
            {
                System.IO.Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: the name marks the directory as temporary; the original outcome matters more.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
