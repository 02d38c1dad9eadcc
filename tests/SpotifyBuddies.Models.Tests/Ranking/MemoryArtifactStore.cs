using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using SpotifyBuddies.Core.Artifacts;

namespace SpotifyBuddies.Models.Tests.Ranking;

/// <summary>An in-memory <see cref="IArtifactStore"/> for the training tests (the real stores are tested in Infrastructure).</summary>
internal sealed class MemoryArtifactStore : IArtifactStore
{
    private readonly ConcurrentDictionary<string, byte[]> _objects = new(StringComparer.Ordinal);

    public string Location => "memory://test";

    public IReadOnlyCollection<string> Keys => [.. _objects.Keys.Order(StringComparer.Ordinal)];

    public async Task<ArtifactInfo> PutAsync(string key, Stream content, long? length, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.Validate(key);
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        _objects[key] = buffer.ToArray();
        return Info(key, _objects[key]);
    }

    public async Task<ArtifactInfo> PutFileAsync(string key, string localPath, CancellationToken cancellationToken = default)
    {
        await using var file = File.OpenRead(localPath);
        return await PutAsync(key, file, file.Length, cancellationToken);
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult<Stream>(new MemoryStream(Get(key), writable: false));

    public Task<byte[]> ReadRangeAsync(string key, long offset, int length, CancellationToken cancellationToken = default)
    {
        var bytes = Get(key);
        var start = (int)Math.Min(offset, bytes.Length);
        return Task.FromResult(bytes.AsSpan(start, Math.Min(length, bytes.Length - start)).ToArray());
    }

    public async Task GetFileAsync(string key, string localPath, CancellationToken cancellationToken = default) =>
        await File.WriteAllBytesAsync(localPath, Get(key), cancellationToken);

    public Task<ArtifactInfo?> StatAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(_objects.TryGetValue(key, out var bytes) ? Info(key, bytes) : null);

    public async IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        foreach (var key in Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
        {
            yield return Info(key, _objects[key]);
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        _objects.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    /// <summary>Replaces an object's bytes (to simulate corruption).</summary>
    public void Overwrite(string key, byte[] bytes) => _objects[key] = bytes;

    private byte[] Get(string key) => _objects.TryGetValue(key, out var bytes) ? bytes : throw new ArtifactNotFoundException(key, Location);

    private static ArtifactInfo Info(string key, byte[] bytes) =>
        new(key, bytes.Length, DateTimeOffset.UnixEpoch, Convert.ToHexStringLower(SHA256.HashData(bytes)));
}
