using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SpotifyBuddies.Core.Artifacts;

namespace SpotifyBuddies.Infrastructure.Artifacts;

/// <summary>
/// The Local profile's artifact store: key <c>a/b/c</c> is the file <c>&lt;root&gt;/a/b/c</c>, so artifacts can be
/// read with ordinary tools.
/// </summary>
/// <remarks>
/// <para><b>Reserved names.</b> Keys never contain '~' (see <see cref="ArtifactKeys"/>), so every name with a '~' is
/// the store's own and is never listed: temp files (<c>&lt;name&gt;~&lt;id&gt;.tmp</c>, next to their target),
/// checksum sidecars (<c>&lt;root&gt;/~sha256/&lt;key&gt;~</c>) and lock files (<c>&lt;root&gt;/~locks/NN</c>).</para>
/// <para><b>Puts are atomic.</b> Content goes to a temp file in the target's directory while its SHA-256 is computed,
/// is flushed to disk, and is renamed over the target (rename(2) replaces atomically). A put that fails or is
/// cancelled before the rename leaves the previous object as it was.</para>
/// <para><b>Checksums.</b> A sidecar holds lines <c>&lt;sha256-hex&gt; &lt;length&gt;</c>: the candidates for the
/// object's content. A put first adds its line to the candidates, then renames the data, then rewrites the sidecar
/// to its line alone, so the sidecar always lists the hash of whatever data file is current, also after a crash
/// between the steps (then it lists two, and <see cref="StatAsync"/> hashes the file to tell which applies).
/// Writers of one key are serialised, and readers that need the checksum take a shared lock for the moment they read
/// the sidecar and open the data, through <c>flock</c> on one of 64 lock files (so across processes too; .NET maps
/// <see cref="FileShare"/> to <c>flock</c> on Unix unless DOTNET_SYSTEM_IO_DISABLEFILELOCKING is set). A data file
/// without a sidecar (not written through this store) has no recorded checksum.</para>
/// <para><b>Traversal.</b> Keys are validated (no '..', no absolute paths), every resolved path is checked to be
/// under the root, and the store refuses to pass through a symbolic link below the root, so a link cannot lead
/// outside it. Listing skips links.</para>
/// <para><b>Limits.</b> Unlike S3, a directory cannot hold both an object <c>a</c> and objects <c>a/…</c>: such a put
/// fails with an <see cref="IOException"/> that says so. Durability of the rename itself after a power loss depends on
/// the file system (the containing directory is not fsynced).</para>
/// </remarks>
public sealed class LocalDirectoryArtifactStore : IArtifactStore
{
    /// <summary>The directory under the root holding checksum sidecars.</summary>
    public const string SidecarDirectoryName = "~sha256";

    /// <summary>The directory under the root holding lock files.</summary>
    public const string LockDirectoryName = "~locks";

    /// <summary>Appended to a key's path under <see cref="SidecarDirectoryName"/> to name its sidecar.</summary>
    public const string SidecarSuffix = "~";

    private const char ReservedChar = '~';
    private const int LockStripes = 64;
    private const int FileBufferSize = 1 << 16;
    private const int EWouldBlockLinux = 11;
    private const int EWouldBlockBsd = 35;
    private static readonly TimeSpan LockWait = TimeSpan.FromMinutes(2);

    private readonly string _root;
    private readonly ILogger _logger;

    public LocalDirectoryArtifactStore(LocalArtifactOptions options, ILogger<LocalDirectoryArtifactStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new LocalArtifactOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new ArgumentException($"Invalid local artifact store options: {result.FailureMessage}", nameof(options));
        }

        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.Root));
        _logger = logger ?? NullLogger<LocalDirectoryArtifactStore>.Instance;
        Location = new Uri(_root).AbsoluteUri;
    }

    /// <summary>A store rooted at <paramref name="root"/>.</summary>
    public LocalDirectoryArtifactStore(string root)
        : this(new LocalArtifactOptions { Root = root })
    {
    }

    /// <summary><c>file:///abs/root</c>.</summary>
    public string Location { get; }

    /// <summary>The absolute root directory.</summary>
    public string RootDirectory => _root;

    public async Task<ArtifactInfo> PutAsync(string key, Stream content, long? length, CancellationToken cancellationToken = default)
    {
        var path = ObjectPath(key);
        ArgumentNullException.ThrowIfNull(content);
        if (length < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "The content length must not be negative.");
        }

        if (Directory.Exists(path))
        {
            throw new IOException($"Cannot store '{key}' in {Location}: objects under '{key}/' exist, and a local store " +
                                  "cannot keep an object and a folder of objects under the same name.");
        }

        EnsureDirectory(Path.GetDirectoryName(path)!, key);
        var temp = TempSibling(path);
        try
        {
            string sha256;
            long written;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileBufferSize, FileOptions.Asynchronous))
            {
                (sha256, written) = await ContentHash.CopyAsync(content, file, cancellationToken);
                if (length is { } expected && expected != written)
                {
                    throw new InvalidDataException(
                        $"Artifact '{key}': the content has {written} bytes but its length was given as {expected}; nothing was stored.");
                }

                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }

            var lastModified = await CommitAsync(key, path, temp, new Candidate(sha256, written), cancellationToken);
            _logger.ArtifactStored(Location, key, written, sha256);
            return new ArtifactInfo(key, written, lastModified, sha256);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public async Task<ArtifactInfo> PutFileAsync(string key, string localPath, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.Validate(key);
        ArgumentException.ThrowIfNullOrEmpty(localPath);
        await using var source = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, FileBufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return await PutAsync(key, source, source.Length, cancellationToken);
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult<Stream>(OpenObject(key, ObjectPath(key)));
        }
        catch (Exception ex)
        {
            return Task.FromException<Stream>(ex);
        }
    }

    public async Task<byte[]> ReadRangeAsync(string key, long offset, int length, CancellationToken cancellationToken = default)
    {
        var path = ObjectPath(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        await using var stream = OpenObject(key, path);
        if (offset >= stream.Length || length == 0)
        {
            return [];
        }

        stream.Position = offset;
        return await ContentHash.ReadUpToAsync(stream, (int)Math.Min(length, stream.Length - offset), cancellationToken);
    }

    public async Task GetFileAsync(string key, string localPath, CancellationToken cancellationToken = default)
    {
        var path = ObjectPath(key);
        ArgumentException.ThrowIfNullOrEmpty(localPath);
        if (!File.Exists(path))
        {
            throw new ArtifactNotFoundException(key, Location);
        }

        FileStream source;
        List<Candidate> recorded;
        using (await LockAsync(key, exclusive: false, cancellationToken))
        {
            // The sidecar and the open data file are read under one lock, so they belong together.
            source = OpenObject(key, path);
            try
            {
                recorded = ReadSidecar(SidecarPath(key));
            }
            catch
            {
                await source.DisposeAsync();
                throw;
            }
        }

        await using (source)
        {
            await VerifiedDownload.WriteAsync(key, source, localPath,
                (sha256, length) => recorded.Count == 0 || recorded.Contains(new Candidate(sha256, length)),
                () => recorded.Count == 0 ? "none" : string.Join(" or ", recorded.Select(c => c.Sha256).Distinct()),
                _logger, Location, cancellationToken);
        }
    }

    public async Task<ArtifactInfo?> StatAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = ObjectPath(key);
        if (!File.Exists(path))
        {
            return null;
        }

        using (await LockAsync(key, exclusive: false, cancellationToken))
        {
            var file = new FileInfo(path);
            if (!file.Exists)
            {
                return null;
            }

            var sha256 = await RecordedSha256Async(ReadSidecar(SidecarPath(key)), file, cancellationToken);
            return new ArtifactInfo(key, file.Length, file.LastWriteTimeUtc, sha256);
        }
    }

    public async IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArtifactKeys.ValidatePrefix(prefix);

        // Walk only the deepest directory the prefix names in full ("models/ab" -> models/, "models/ab/" -> models/ab/).
        var slash = prefix.LastIndexOf('/');
        var start = slash < 0 ? string.Empty : prefix[..slash];
        var startDirectory = start.Length == 0 ? _root : ObjectPath(start);
        if (!Directory.Exists(startDirectory))
        {
            yield break;
        }

        var keys = new List<string>();
        Collect(startDirectory, start, prefix, keys, cancellationToken);
        keys.Sort(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (await StatAsync(key, cancellationToken) is { } info)
            {
                yield return info;
            }
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = ObjectPath(key);
        var sidecar = SidecarPath(key);
        if (!File.Exists(path) && !File.Exists(sidecar))
        {
            return;
        }

        using (await LockAsync(key, exclusive: true, cancellationToken))
        {
            // Data first: once it is gone the object is gone; a sidecar left by a crash here is ignored.
            if (File.Exists(path))
            {
                File.Delete(path);
            }

            if (File.Exists(sidecar))
            {
                File.Delete(sidecar);
            }
        }
    }

    /// <summary>Adds the new candidate to the sidecar, renames the data into place, then records it alone.</summary>
    private async Task<DateTimeOffset> CommitAsync(string key, string path, string temp, Candidate candidate, CancellationToken cancellationToken)
    {
        var sidecar = SidecarPath(key);
        EnsureDirectory(Path.GetDirectoryName(sidecar)!, key);
        using (await LockAsync(key, exclusive: true, cancellationToken))
        {
            var pending = ReadSidecar(sidecar).Where(c => c != candidate).Append(candidate).ToList();
            WriteSidecar(sidecar, pending);
            File.Move(temp, path, overwrite: true);
            WriteSidecar(sidecar, [candidate]);
            return File.GetLastWriteTimeUtc(path);
        }
    }

    /// <summary>The recorded SHA-256 that applies to <paramref name="file"/>, or null when none does.</summary>
    private static async Task<string?> RecordedSha256Async(List<Candidate> recorded, FileInfo file, CancellationToken cancellationToken)
    {
        var matching = recorded.Where(c => c.Length == file.Length).Select(c => c.Sha256).Distinct(StringComparer.Ordinal).ToList();
        if (matching.Count <= 1)
        {
            return matching.SingleOrDefault();
        }

        // Left by a put that crashed between its steps, and both candidates have this length: hash to tell.
        await using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileBufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var (actual, _) = await ContentHash.CopyAsync(stream, null, cancellationToken);
        return matching.Contains(actual, StringComparer.Ordinal) ? actual : null;
    }

    private FileStream OpenObject(string key, string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileBufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException
                                   || (ex is UnauthorizedAccessException && Directory.Exists(path)))
        {
            throw new ArtifactNotFoundException(key, Location);
        }
    }

    private static void Collect(string directory, string relative, string prefix, List<string> keys, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            if (entry.Name.Contains(ReservedChar, StringComparison.Ordinal) || entry.Attributes.HasFlag(FileAttributes.ReparsePoint))
            {
                continue; // the store's own files, and links (never followed)
            }

            var key = relative.Length == 0 ? entry.Name : $"{relative}/{entry.Name}";
            if (entry is DirectoryInfo)
            {
                var asFolder = key + "/";
                if (asFolder.StartsWith(prefix, StringComparison.Ordinal) || prefix.StartsWith(asFolder, StringComparison.Ordinal))
                {
                    Collect(entry.FullName, key, prefix, keys, cancellationToken);
                }
            }
            else if (key.StartsWith(prefix, StringComparison.Ordinal) && ArtifactKeys.Problem(key) is null)
            {
                keys.Add(key); // files whose path is not a valid key were not written by a store: skip them
            }
        }
    }

    /// <summary>The data file of <paramref name="key"/> (validated, under the root, reached through no link).</summary>
    private string ObjectPath(string key) => SafePath(null, ArtifactKeys.Validate(key));

    private string SidecarPath(string key) => SafePath(SidecarDirectoryName, key) + SidecarSuffix;

    private string SafePath(string? tree, string key)
    {
        var current = _root;
        var segments = tree is null ? key.Split('/') : [tree, .. key.Split('/')];
        foreach (var segment in segments)
        {
            current = Path.Combine(current, segment);
            if (new FileInfo(current).LinkTarget is not null)
            {
                throw new UnauthorizedAccessException(
                    $"Artifact key '{key}' leads through the symbolic link '{current}'; {Location} never follows links, " +
                    "so no key can reach outside the root.");
            }

            if (!Path.Exists(current))
            {
                break; // nothing below a missing component exists yet
            }
        }

        var full = Path.GetFullPath(Path.Combine([_root, .. segments]));
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new UnauthorizedAccessException($"Artifact key '{key}' resolves to '{full}', outside {Location}.");
        }

        return full;
    }

    /// <summary>Creates <paramref name="directory"/>, saying clearly when an object stands where a folder must go.</summary>
    private void EnsureDirectory(string directory, string key)
    {
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (IOException ex) when (ex is not PathTooLongException)
        {
            var relative = Path.GetRelativePath(_root, directory).Replace(Path.DirectorySeparatorChar, '/');
            var segments = relative.Split('/');
            for (var i = 1; i <= segments.Length; i++)
            {
                var part = string.Join('/', segments[..i]);
                if (File.Exists(Path.Combine(_root, part)))
                {
                    throw new IOException($"Cannot store '{key}' in {Location}: '{part}' is an object, and a local store " +
                                          "cannot keep an object and a folder of objects under the same name.", ex);
                }
            }

            throw;
        }
    }

    private async Task<IDisposable> LockAsync(string key, bool exclusive, CancellationToken cancellationToken)
    {
        var directory = SafePath(null, LockDirectoryName);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, Stripe(key).ToString("D2", CultureInfo.InvariantCulture));
        var started = Stopwatch.GetTimestamp();
        var delay = 1;
        while (true)
        {
            try
            {
                // FileShare.None takes flock(LOCK_EX), a read-only open with sharing flock(LOCK_SH); both non-blocking.
                return exclusive
                    ? new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1)
                    : new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite, 1);
            }
            catch (IOException ex) when (ex.HResult is EWouldBlockLinux or EWouldBlockBsd)
            {
                if (Stopwatch.GetElapsedTime(started) > LockWait)
                {
                    throw new TimeoutException($"Waited {LockWait.TotalSeconds:0} s for lock file '{path}' of artifact '{key}' in {Location}; " +
                                               "another process holds it.", ex);
                }

                await Task.Delay(delay, cancellationToken);
                delay = Math.Min(delay * 2, 50);
            }
        }
    }

    /// <summary>FNV-1a over the key, so every process maps a key to the same lock file.</summary>
    private static int Stripe(string key)
    {
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % LockStripes);
    }

    private static List<Candidate> ReadSidecar(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }

        var candidates = new List<Candidate>(lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            var parts = lines[i].Split(' ');
            if (parts.Length != 2 || !ContentHash.IsSha256Hex(parts[0])
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            {
                throw new InvalidDataException($"Checksum sidecar '{path}' line {i + 1} is not '<sha256-hex> <length>': '{lines[i]}'.");
            }

            candidates.Add(new Candidate(parts[0], length));
        }

        return candidates;
    }

    private static void WriteSidecar(string path, IEnumerable<Candidate> candidates)
    {
        var temp = TempSibling(path);
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            using (var writer = new StreamWriter(file))
            {
                foreach (var candidate in candidates)
                {
                    writer.Write(candidate.Sha256);
                    writer.Write(' ');
                    writer.Write(candidate.Length.ToString(CultureInfo.InvariantCulture));
                    writer.Write('\n');
                }

                writer.Flush();
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    internal static string TempSibling(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $"{Path.GetFileName(path)}{ReservedChar}{Guid.NewGuid():N}.tmp");

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp file is never listed, and the failure that got us here matters more.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private readonly record struct Candidate(string Sha256, long Length);
}
