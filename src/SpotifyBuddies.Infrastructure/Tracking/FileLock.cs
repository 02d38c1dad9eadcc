namespace SpotifyBuddies.Infrastructure.Tracking;

/// <summary>
/// An exclusive lock between processes (and threads): a lock file opened with <see cref="FileShare.None"/>. The OS
/// releases it when the holder exits, so a crashed process never leaves a stale lock.
/// </summary>
internal sealed class FileLock : IDisposable
{
    private readonly FileStream _stream;

    private FileLock(FileStream stream) => _stream = stream;

    /// <exception cref="TimeoutException">Another holder kept the lock longer than <paramref name="timeout"/>.</exception>
    public static async Task<FileLock> AcquireAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow + timeout;
        var delay = 1;
        while (true)
        {
            try
            {
                return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(delay, cancellationToken);
                delay = Math.Min(delay * 2, 50);
            }
            catch (IOException ex)
            {
                throw new TimeoutException($"Could not lock '{path}' within {timeout.TotalSeconds:0.#} s: another process holds it.", ex);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
