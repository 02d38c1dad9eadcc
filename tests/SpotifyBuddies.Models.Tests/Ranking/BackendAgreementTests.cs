using SpotifyBuddies.Data.Inspection;
using SpotifyBuddies.Data.Preparation;
using SpotifyBuddies.Data.Synthetic;
using SpotifyBuddies.Models.Ranking;

namespace SpotifyBuddies.Models.Tests.Ranking;

/// <summary>The "small" synthetic preset (5,000 users, 240k triplets), generated and prepared once for the class.</summary>
public sealed class SmallPreparedDataset : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"buddies-models-tests-{Guid.NewGuid():N}");

    public string DatasetDir => Path.Combine(_root, "prepared");

    public async Task InitializeAsync()
    {
        var raw = Path.Combine(_root, "raw");
        SyntheticDataGenerator.Generate(SynthOptions.Preset("small"), raw);
        await DataPreparation.RunAsync(new PrepareRequest { Inputs = RawDatasetPaths.Discover(raw), OutputDir = DatasetDir });
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

/// <summary>Both backends do the same math: on the same data and epochs they reach the same quality.</summary>
public sealed class BackendAgreementTests(SmallPreparedDataset small) : IClassFixture<SmallPreparedDataset>, IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Native_with_hogwild_threads_and_torch_reach_val_mrr_within_a_hundredth()
    {
        var hyperparameters = new BprHyperparameters { Dimensions = 32, Epochs = 3, BatchSize = 4096, LearningRate = 0.01 };
        var native = await Train(BprBackends.Native, hyperparameters);
        var torch = await Train(BprBackends.Torch, hyperparameters);

        Assert.Equal("native", native.Backend);
        Assert.Equal("torch", torch.Backend);
        Assert.True(native.BestVal.Mrr > native.PopularityVal.Mrr, $"native {native.BestVal.Mrr} vs popularity {native.PopularityVal.Mrr}");
        Assert.True(
            Math.Abs(native.BestVal.Mrr - torch.BestVal.Mrr) <= 0.01,
            $"native val MRR {native.BestVal.Mrr:F4}, torch {torch.BestVal.Mrr:F4}");
    }

    private Task<BprTrainingResult> Train(string backend, BprHyperparameters hyperparameters) =>
        BprTraining.RunAsync(
            new BprTrainingRequest
            {
                DatasetDir = small.DatasetDir,
                OutputDir = _temp.Sub(backend),
                Backend = backend,
                Threads = 2,
                Hyperparameters = hyperparameters,
            },
            new BprTrainingServices { Checkpoints = new MemoryArtifactStore() });
}
