using System.Runtime.CompilerServices;
using SpotifyBuddies.Core.Artifacts;

namespace SpotifyBuddies.Workflows.Steps;

/// <summary>
/// An artifact store seen through a key prefix: every key is stored as <c>prefix/key</c> and listed back without it.
/// Gives one workflow step execution its own checkpoint space (<see cref="ArtifactKeys.WorkflowStep"/>), so a retry
/// or a restart after a crash resumes its own training and a later run never picks up another run's state.
/// </summary>
internal sealed class ScopedArtifactStore(IArtifactStore inner, string prefix) : IArtifactStore
{
    private readonly string _prefix = ArtifactKeys.Validate(prefix.TrimEnd('/')) + "/";

    public string Location => $"{inner.Location.TrimEnd('/')}/{_prefix.TrimEnd('/')}";

    public async Task<ArtifactInfo> PutAsync(string key, Stream content, long? length, CancellationToken cancellationToken = default) =>
        Strip(await inner.PutAsync(_prefix + key, content, length, cancellationToken));

    public async Task<ArtifactInfo> PutFileAsync(string key, string localPath, CancellationToken cancellationToken = default) =>
        Strip(await inner.PutFileAsync(_prefix + key, localPath, cancellationToken));

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default) =>
        inner.OpenReadAsync(_prefix + key, cancellationToken);

    public Task<byte[]> ReadRangeAsync(string key, long offset, int length, CancellationToken cancellationToken = default) =>
        inner.ReadRangeAsync(_prefix + key, offset, length, cancellationToken);

    public Task GetFileAsync(string key, string localPath, CancellationToken cancellationToken = default) =>
        inner.GetFileAsync(_prefix + key, localPath, cancellationToken);

    public async Task<ArtifactInfo?> StatAsync(string key, CancellationToken cancellationToken = default) =>
        await inner.StatAsync(_prefix + key, cancellationToken) is { } info ? Strip(info) : null;

    public async IAsyncEnumerable<ArtifactInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var info in inner.ListAsync(_prefix + prefix, cancellationToken))
        {
            yield return Strip(info);
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        inner.DeleteAsync(_prefix + key, cancellationToken);

    /// <summary>Deletes every object under the scope; returns how many there were.</summary>
    public async Task<int> ClearAsync(CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        await foreach (var info in inner.ListAsync(_prefix, cancellationToken))
        {
            keys.Add(info.Key);
        }

        foreach (var key in keys)
        {
            await inner.DeleteAsync(key, cancellationToken);
        }

        return keys.Count;
    }

    private ArtifactInfo Strip(ArtifactInfo info) =>
        info.Key.StartsWith(_prefix, StringComparison.Ordinal) ? info with { Key = info.Key[_prefix.Length..] } : info;
}
