using System.Globalization;
using SpotifyBuddies.Core.Artifacts;
using SpotifyBuddies.Core.Ranking;
using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Data.Preparation;

namespace SpotifyBuddies.Models.Ranking;

/// <summary>What <see cref="BprTraining.RunAsync"/> trains on, where the model goes, and how.</summary>
public sealed record BprTrainingRequest
{
    /// <summary>A prepared dataset directory (<c>buddies data prepare</c>).</summary>
    public required string DatasetDir { get; init; }

    /// <summary>The model artifact directory to create (model.json, embeddings.safetensors, id maps).</summary>
    public required string OutputDir { get; init; }

    public BprHyperparameters Hyperparameters { get; init; } = new();

    /// <summary>Backend name: <c>auto</c>, <c>native</c> or <c>torch</c>.</summary>
    public string Backend { get; init; } = "auto";

    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Continue from the newest checkpoint of the same training (same dataset, hyperparameters and backend), if any.</summary>
    public bool Resume { get; init; }

    /// <summary>Replace an existing output directory (only once the new model is complete).</summary>
    public bool Force { get; init; }

    /// <summary>Stop as soon as val MRR reaches this value (time-to-quality runs).</summary>
    public double? TargetMrr { get; init; }

    /// <summary>Evaluations on the validation rows per epoch (1 = after each epoch, as the original).</summary>
    public int EvaluationsPerEpoch { get; init; } = 1;

    /// <summary>Registered-model name recorded in model.json (and used by registration).</summary>
    public string ModelName { get; init; } = "spotify-buddies-bpr";

    /// <summary>Experiment the run is tracked in.</summary>
    public string ExperimentName { get; init; } = "spotify-buddies";

    public string? RunName { get; init; }

    /// <summary>Makes the run a nested (child) run, e.g. a sweep trial.</summary>
    public string? ParentRunId { get; init; }

    /// <summary>Aliases the new registered model version gets (when a registry is given and the run is tracked).
    /// <c>staging</c> by default; promotion to <c>champion</c> is the evaluation workflow's decision.</summary>
    public IReadOnlyList<string> RegisterAliases { get; init; } = [ModelAliases.Staging];

    /// <summary>Extra tags for the tracked run.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Every problem with the request (empty when it can run).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>(Hyperparameters.Validate());
        if (string.IsNullOrWhiteSpace(DatasetDir))
        {
            problems.Add("DatasetDir must be given.");
        }

        if (string.IsNullOrWhiteSpace(OutputDir))
        {
            problems.Add("OutputDir must be given.");
        }

        if (!BprBackends.Names.Contains(Backend, StringComparer.Ordinal))
        {
            problems.Add($"Backend must be one of {string.Join(", ", BprBackends.Names)}; got '{Backend}'.");
        }

        if (Threads < 1)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"Threads must be at least 1; got {Threads}."));
        }

        if (EvaluationsPerEpoch is < 1 or > 1000)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"EvaluationsPerEpoch must be in 1..1000; got {EvaluationsPerEpoch}."));
        }

        if (TargetMrr is { } target && target is not (> 0 and <= 1))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"TargetMrr must be in (0, 1]; got {target}."));
        }

        if (string.IsNullOrWhiteSpace(ModelName) || string.IsNullOrWhiteSpace(ExperimentName))
        {
            problems.Add("ModelName and ExperimentName must not be empty.");
        }

        return problems;
    }
}

/// <summary>The ports training uses: a backend factory, checkpoint storage and (optionally) experiment tracking.</summary>
public sealed record BprTrainingServices
{
    /// <summary>Creates the backend for a resolved name (<c>native</c> or <c>torch</c>); see <see cref="BprBackends.Create"/>.</summary>
    public Func<string, BprTrainerSettings, IBprTrainer> CreateTrainer { get; init; } = BprBackends.Create;

    /// <summary>Where checkpoints go (keys <c>checkpoints/&lt;fingerprint&gt;/…</c>).</summary>
    public required IArtifactStore Checkpoints { get; init; }

    /// <summary>Params, per-evaluation metrics, final metrics and the model directory are logged here when set.</summary>
    public IExperimentTracker? Tracker { get; init; }

    /// <summary>When set (and the run is tracked), the logged model directory becomes a new version of
    /// <see cref="BprTrainingRequest.ModelName"/> with <see cref="BprTrainingRequest.RegisterAliases"/>.</summary>
    public IModelRegistry? Registry { get; init; }
}

/// <summary>Progress of one phase: <see cref="Done"/> of <see cref="Total"/> (triplets while training, rows while evaluating).</summary>
public sealed record BprProgress(string Phase, long Done, long Total);

/// <summary>The outcome of a training run.</summary>
public sealed record BprTrainingResult
{
    public required string ModelDir { get; init; }

    public required string Backend { get; init; }

    public required string Device { get; init; }

    public required string Fingerprint { get; init; }

    public string? RunId { get; init; }

    /// <summary>The registered model version, when registered.</summary>
    public ModelVersion? ModelVersion { get; init; }

    public required string DatasetHash { get; init; }

    public required int Users { get; init; }

    public required int Playlists { get; init; }

    public required long TripletsPerEpoch { get; init; }

    public required IReadOnlyList<BprEvaluation> History { get; init; }

    /// <summary>Epochs started (the last may be partial when stopped by the target).</summary>
    public required int Epochs { get; init; }

    /// <summary>Epoch the run resumed after (0 = started fresh).</summary>
    public required int ResumedFromEpoch { get; init; }

    public required string StopReason { get; init; }

    public required int BestStep { get; init; }

    /// <summary>Validation metrics of the saved (best) model.</summary>
    public required RankingScores BestVal { get; init; }

    public required RankingScores Test { get; init; }

    public required RankingScores PopularityVal { get; init; }

    public required RankingScores PopularityTest { get; init; }

    public required IReadOnlyList<PhaseTiming> Timings { get; init; }
}
