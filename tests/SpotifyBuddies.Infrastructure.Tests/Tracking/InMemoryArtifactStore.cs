using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using SpotifyBuddies.Core.Artifacts;

namespace SpotifyBuddies.Infrastructure.Tests.Tracking;

/// <summary>A test double of <see cref="IArtifactStore"/>: objects in a dictionary, keys validated as the real stores do.</summary>
internal sealed class InMemoryArtifactStore : IArtifactStore
{
    private readonly ConcurrentDictionary<string, (byte[] Content, ArtifactInfo Info)> _objects = new(StringComparer.Ordinal);

    public string Location => "memory://artifacts";

    public IReadOnlyCollection<string> Keys => [.. _objects.Keys.Order(StringComparer.Ordinal)];

    public async Task<ArtifactInfo> PutAsync(string key, Stream content, long? length, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.Validate(key);
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        var bytes = buffer.ToArray();
        var info = new ArtifactInfo(key, bytes.Length, DateTimeOffset.UtcNow, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        _objects[key] = (bytes, info);
        return info;
    }

    public async Task<ArtifactInfo> PutFileAsync(string key, string localPath, CancellationToken cancellationToken = default)
    {
        await using var stream = File.OpenRead(localPath);
        return await PutAsync(key, stream, stream.Length, cancellationToken);
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult<Stream>(new MemoryStream(Get(key).Content, writable: false));

    public Task<byte[]> ReadRangeAsync(string key, long offset, int length, CancellationToken cancellationToken = default)
    {
        var content = Get(key).Content;
        var start = (int)Math.Min(offset, content.Length);
        return Task.FromResult(content.AsSpan(start, Math.Min(length, content.Length - start)).ToArray());
    }

    public async Task GetFileAsync(string key, string localPath, CancellationToken cancellationToken = default) =>
        await File.WriteAllBytesAsync(localPath, Get(key).Content, cancellationToken);

    public Task<ArtifactInfo?> StatAsync(string key, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.Validate(key);
        return Task.FromResult(_objects.TryGetValue(key, out var entry) ? entry.Info : null);
    }

    public async IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArtifactKeys.ValidatePrefix(prefix);
        foreach (var key in _objects.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return _objects[key].Info;
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        _objects.TryRemove(ArtifactKeys.Validate(key), out _);
        return Task.CompletedTask;
    }

    private (byte[] Content, ArtifactInfo Info) Get(string key) =>
        _objects.TryGetValue(ArtifactKeys.Validate(key), out var entry) ? entry : throw new ArtifactNotFoundException(key, Location);
}
