using Microsoft.Extensions.Logging;
using SpotifyBuddies.Core.Artifacts;

namespace SpotifyBuddies.Infrastructure.Artifacts;

/// <summary>Writes downloaded content to a temp sibling of the destination, checks its SHA-256, then renames it into place.</summary>
internal static class VerifiedDownload
{
    /// <param name="accept">Given the content's SHA-256 and length, whether they match what the store recorded.</param>
    /// <param name="expected">What was expected, for the error message.</param>
    /// <exception cref="ArtifactChecksumException">The content does not match; the destination is left untouched.</exception>
    public static async Task WriteAsync(string key, Stream source, string localPath, Func<string, long, bool> accept,
        Func<string> expected, ILogger logger, string location, CancellationToken cancellationToken)
    {
        var destination = Path.GetFullPath(localPath);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        var temp = Path.Combine(Path.GetDirectoryName(destination)!, $".{Path.GetFileName(destination)}.{Guid.NewGuid():N}.tmp");
        try
        {
            string sha256;
            long length;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                (sha256, length) = await ContentHash.CopyAsync(source, file, cancellationToken);
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }

            if (!accept(sha256, length))
            {
                var wanted = expected();
                logger.ChecksumMismatch(location, key, sha256, wanted);
                throw new ArtifactChecksumException(key, wanted, sha256);
            }

            File.Move(temp, destination, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
                // Best effort; the original failure is what the caller needs.
            }

            throw;
        }
    }
}
