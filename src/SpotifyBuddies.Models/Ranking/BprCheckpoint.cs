using System.Globalization;
using System.Text.Json;
using SpotifyBuddies.Core.ModelArtifacts;
using SpotifyBuddies.Core.Ranking;

namespace SpotifyBuddies.Models.Ranking;

/// <summary>One evaluation during training (one per epoch, or several with evaluations-per-epoch &gt; 1).</summary>
/// <param name="Epoch">1-based epoch the evaluation belongs to.</param>
/// <param name="EpochFraction">Progress through training in epochs (e.g. 1.5 = half-way through epoch 2).</param>
/// <param name="Step">1-based evaluation counter (the tracking step).</param>
/// <param name="TrainLoss">Mean BPR loss over the triplets applied since the previous evaluation.</param>
/// <param name="TrainSeconds">Wall seconds spent applying those triplets.</param>
/// <param name="Triplets">Triplets applied since the previous evaluation.</param>
/// <param name="ElapsedSeconds">Wall seconds since training started (loading included; carried across resumes).</param>
public sealed record BprEvaluation(
    int Epoch,
    double EpochFraction,
    int Step,
    double TrainLoss,
    RankingScores Val,
    double TrainSeconds,
    double EvalSeconds,
    long Triplets,
    double TripletsPerSecond,
    double ElapsedSeconds);

/// <summary>Where the loop stands: enough to continue exactly after a crash.</summary>
public sealed record BprLoopState
{
    /// <summary>Epochs completed.</summary>
    public int Epoch { get; init; }

    public double BestValMrr { get; init; } = double.NegativeInfinity;

    /// <summary>Step of the best evaluation (0 = none yet).</summary>
    public int BestStep { get; init; }

    /// <summary>Evaluations since the last improvement (early stopping counts these).</summary>
    public int SinceImprovement { get; init; }

    public double ElapsedSeconds { get; init; }

    public IReadOnlyList<BprEvaluation> History { get; init; } = [];

    /// <summary>Tracking run the training logs to (kept across resumes).</summary>
    public string? RunId { get; init; }

    /// <summary>Training has stopped (all epochs, early stopping or the target reached): a resume only finalises.</summary>
    public bool Finished { get; init; }

    /// <summary>Why training stopped, when <see cref="Finished"/>.</summary>
    public string? StopReason { get; init; }
}

/// <summary>
/// A training checkpoint as one safetensors file: the model and optimizer tensors (<c>user_embeddings</c>,
/// <c>playlist_embeddings</c>, <c>optimizer.&lt;slot&gt;</c>) and, as string metadata, the optimizer step, the loop
/// state and the random-stream description. The batch order of epoch e is drawn from the stream
/// <c>seed → fork("epoch/e")</c>, so the seed and the epoch are the whole RNG state.
/// </summary>
public static class BprCheckpoint
{
    public const string Format = "spotifybuddies-bpr-checkpoint/v1";
    private const string OptimizerPrefix = "optimizer.";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>File name of the checkpoint taken after <paramref name="epoch"/>.</summary>
    public static string FileName(int epoch) => string.Create(CultureInfo.InvariantCulture, $"epoch-{epoch:D4}.safetensors");

    /// <summary>The best model so far (embeddings only), next to the epoch checkpoints.</summary>
    public const string BestFileName = "best.safetensors";

    /// <summary>The epoch a checkpoint file name belongs to, or null for other names.</summary>
    public static int? EpochOf(string fileName) =>
        fileName.StartsWith("epoch-", StringComparison.Ordinal) && fileName.EndsWith(".safetensors", StringComparison.Ordinal)
        && int.TryParse(fileName.AsSpan(6, fileName.Length - 6 - ".safetensors".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
            ? epoch
            : null;

    public static void Write(string path, BprState state, BprLoopState loop, string fingerprint, ulong seed)
    {
        var tensors = new List<TensorData>
        {
            TensorData.FromFloats(ModelManifest.UserTensor, state.UserEmbeddings, state.Users, state.Dimensions),
            TensorData.FromFloats(ModelManifest.PlaylistTensor, state.PlaylistEmbeddings, state.Playlists, state.Dimensions),
        };
        foreach (var (name, values) in state.Optimizer.Slots.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var rows = name.StartsWith("user", StringComparison.Ordinal) ? state.Users : state.Playlists;
            tensors.Add(TensorData.FromFloats(OptimizerPrefix + name, values, rows, values.Length / rows));
        }

        SafeTensors.Write(path, tensors, new Dictionary<string, string>
        {
            ["format"] = Format,
            ["fingerprint"] = fingerprint,
            ["optimizer"] = BprOptimizers.Name(state.Optimizer.Kind),
            ["optimizer_step"] = state.Optimizer.Step.ToString(CultureInfo.InvariantCulture),
            ["rng"] = string.Create(CultureInfo.InvariantCulture, $"xoshiro256** seed={seed}, batch order of epoch e from fork(\"epoch/e\")"),
            ["loop"] = JsonSerializer.Serialize(loop, Json),
        });
    }

    /// <exception cref="InvalidDataException">Not a checkpoint of this format, or of another training (fingerprint).</exception>
    public static (BprState State, BprLoopState Loop) Read(string path, string expectedFingerprint)
    {
        var file = SafeTensors.Read(path);
        if (!file.Metadata.TryGetValue("format", out var format) || format != Format)
        {
            throw new InvalidDataException($"{path}: not a BPR checkpoint ({Format}).");
        }

        if (!string.Equals(file.Metadata.GetValueOrDefault("fingerprint"), expectedFingerprint, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: checkpoint of another training (fingerprint {file.Metadata.GetValueOrDefault("fingerprint")}, expected {expectedFingerprint}).");
        }

        var users = file[ModelManifest.UserTensor];
        var playlists = file[ModelManifest.PlaylistTensor];
        var slots = file.Names
            .Where(n => n.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
            .ToDictionary(n => n[OptimizerPrefix.Length..], n => file[n].ToFloat32(), StringComparer.Ordinal);
        var state = new BprState
        {
            Users = checked((int)users.Shape[0]),
            Playlists = checked((int)playlists.Shape[0]),
            Dimensions = checked((int)users.Shape[1]),
            UserEmbeddings = users.ToFloat32(),
            PlaylistEmbeddings = playlists.ToFloat32(),
            Optimizer = new BprOptimizerState
            {
                Kind = BprOptimizers.Parse(file.Metadata["optimizer"]),
                Step = long.Parse(file.Metadata["optimizer_step"], CultureInfo.InvariantCulture),
                Slots = slots,
            },
        };
        var loop = JsonSerializer.Deserialize<BprLoopState>(file.Metadata["loop"], Json)
            ?? throw new InvalidDataException($"{path}: the loop state is empty.");
        return (state, loop);
    }

    /// <summary>Writes embeddings only (the best model so far).</summary>
    public static void WriteEmbeddings(string path, BprEmbeddings embeddings, IReadOnlyDictionary<string, string> metadata) =>
        SafeTensors.Write(
            path,
            [
                TensorData.FromFloats(ModelManifest.UserTensor, embeddings.UserEmbeddings.Span, embeddings.Users, embeddings.Dimensions),
                TensorData.FromFloats(ModelManifest.PlaylistTensor, embeddings.PlaylistEmbeddings.Span, embeddings.Playlists, embeddings.Dimensions),
            ],
            metadata);
}
