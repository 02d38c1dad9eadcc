namespace SpotifyBuddies.Infrastructure.Workflows;

/// <summary>
/// Exclusive, non-reentrant locks by name within this process: one <see cref="SemaphoreSlim"/> per name, kept only
/// while someone holds or waits for it, so names such as run ids do not pile up.
/// </summary>
internal static class InProcessLocks
{
    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    /// <summary>Waits for the lock on <paramref name="name"/>; the returned handle releases it once disposed.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled while waiting.</exception>
    public static async Task<IAsyncDisposable> AcquireAsync(string name, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (Gate)
        {
            if (!Entries.TryGetValue(name, out entry!))
            {
                entry = new Entry();
                Entries.Add(name, entry);
            }

            entry.Users++;
        }

        try
        {
            await entry.Semaphore.WaitAsync(cancellationToken);
        }
        catch
        {
            Leave(name, entry);
            throw;
        }

        return new Handle(name, entry);
    }

    private static void Leave(string name, Entry entry)
    {
        lock (Gate)
        {
            if (--entry.Users == 0)
            {
                Entries.Remove(name);
                entry.Semaphore.Dispose();
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        /// <summary>Holders and waiters; guarded by <see cref="Gate"/>.</summary>
        public int Users { get; set; }
    }

    private sealed class Handle(string name, Entry entry) : IAsyncDisposable
    {
        private int _disposed;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                entry.Semaphore.Release();
                Leave(name, entry);
            }

            return ValueTask.CompletedTask;
        }
    }
}
