using SpotifyBuddies.Data.Datasets;
using SpotifyBuddies.Data.Inspection;
using SpotifyBuddies.Data.Preparation;
using SpotifyBuddies.Data.Synthetic;

namespace SpotifyBuddies.Models.Tests.Pairing;

/// <summary>The "tiny" synthetic preset, generated and prepared once per test class (a few seconds).</summary>
public sealed class TinyPreparedDataset : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"buddies-models-tests-{Guid.NewGuid():N}");

    public string DatasetDir => Path.Combine(_root, "prepared");

    public DatasetManifest Manifest { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var raw = Path.Combine(_root, "raw");
        SyntheticDataGenerator.Generate(SynthOptions.Preset("tiny"), raw);
        var result = await DataPreparation.RunAsync(new PrepareRequest
        {
            Inputs = RawDatasetPaths.Discover(raw),
            OutputDir = DatasetDir,
        });
        Manifest = await DatasetManifest.ReadAsync(result.ManifestPath);
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }

        return Task.CompletedTask;
    }
}
