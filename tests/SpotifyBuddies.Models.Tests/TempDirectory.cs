namespace SpotifyBuddies.Models.Tests;

/// <summary>A fresh directory under the system temp folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"buddies-models-tests-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Hidden staging or retired directories (<c>.name.tmp-*</c>, <c>.name.old-*</c>) left next to the outputs.</summary>
    public IReadOnlyList<string> Leftovers() =>
        [.. Directory.EnumerateDirectories(Path, ".*").Select(System.IO.Path.GetFileName).OfType<string>()];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
