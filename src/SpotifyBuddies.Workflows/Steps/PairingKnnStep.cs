using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SpotifyBuddies.Core.Artifacts;
using SpotifyBuddies.Core.Pairing;
using SpotifyBuddies.Data.Datasets;
using SpotifyBuddies.Models.Pairing;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Definitions;

namespace SpotifyBuddies.Workflows.Steps;

/// <summary>
/// <c>pairing.knn</c>: prepared dataset → taste neighbours and candidate pools (<see cref="PairingPipeline"/>, as
/// <c>buddies pair</c>); with <c>publish</c>, the output goes to the artifact store and the pointer serving reads
/// (<see cref="PairingPublisher"/>). A complete earlier output from the same dataset and parameters is reused.
/// </summary>
public sealed class PairingKnnStep(IArtifactStore artifacts) : IWorkflowStep
{
    private static readonly PairingParameters Defaults = new();

    public StepDescriptor Descriptor { get; } = new()
    {
        Name = StepNames.PairingKnn,
        Title = "Pair listeners (KNN)",
        Category = "pairing",
        Queue = StepQueues.DataPrep,
        Description = "Pair each user with taste neighbours (top-K users by cosine similarity of their song libraries, walked until " +
                      "enough neighbours and playlists are found) and build each user's candidate pool from the playlists those " +
                      "neighbours own. Optionally publishes the pools to the artifact store for serving.",
        Inputs =
        [
            Ports.Required("dataset", DataType.String, "A prepared dataset directory (data.prepare's 'dataset')."),
            Ports.In("engine", NeighbourSearchEngines.Exact, $"Neighbour search: {string.Join(" or ", NeighbourSearchEngines.Names)} (exact: sparse inverted index; approximate: ANN index)."),
            new StepPort("engine_options", DataType.Object, "Engine-specific settings as name → string value; the exact engine takes none.", Default: new JsonObject()),
            Ports.In("k", (long)Defaults.K, "Candidates per user: the K most similar users."),
            Ports.In("min_neighbours", (long)Defaults.MinNeighbours, "Stop walking the candidates once this many neighbours (owners of a playlist) are kept…"),
            Ports.In("min_playlists", (long)Defaults.MinPlaylists, "…and this many playlists are reachable."),
            Ports.In("pool_size", (long)Defaults.PoolSize, "Most playlists in a user's candidate pool (a uniform sample when more are reachable)."),
            Ports.In("shuffle_candidates", Defaults.ShuffleCandidates, "Walk the candidates in random order, as the original did, instead of most similar first."),
            Ports.In("seed", (long)Defaults.Seed, "Random seed; the same dataset, parameters and seed give byte-identical files."),
            Ports.In("threads", 0L, "Worker threads, 0 = one per core (speed only, never the content)."),
            Ports.In("publish", false, $"Upload the output to the artifact store under datasets/{PairingPublisher.Name}/<version>/ and point {ArtifactKeys.Current(PairingPublisher.Name)} at it (what serving reads)."),
            Ports.OutputDirectory("neighbours.parquet, pools.parquet, no_pool_users.parquet, statistics and manifest.json"),
        ],
        Outputs =
        [
            Ports.Out("pairing", DataType.String, "The pairing output directory."),
            Ports.Out("content_hash", DataType.String, "The pairing manifest's content hash."),
            Ports.Out("parent", DataType.String, "The prepared dataset's content hash."),
            Ports.Out("users", DataType.Integer, "Users paired."),
            Ports.Out("users_with_pool", DataType.Integer, "Users with a non-empty candidate pool."),
            Ports.Out("no_pool_users", DataType.Integer, "Users with an empty pool (served as cold users)."),
            Ports.Out("pool_rows", DataType.Integer, "(user, playlist) rows over all pools."),
            Ports.Out("counts", DataType.Object, "Every headline count of the manifest, by name."),
            Ports.Out("warnings", DataType.Array, "The pairing's warnings.", DataType.String),
            Ports.Out("published_key", DataType.String, "With publish: the artifact-store prefix of the published version (else absent)."),
            Ports.Out("pointer_key", DataType.String, "With publish: the pointer object naming the current version (else absent)."),
        ],
    };

    public async Task<JsonObject> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var inputs = new StepInputs(context, Descriptor);
        var datasetDir = Path.GetFullPath(inputs.String("dataset"));
        var threads = inputs.Int32("threads", 0, 4096);
        var target = StepOutput.For(context, inputs.OptionalString("out"), "pairing");
        var request = new PairingRequest
        {
            DatasetDir = datasetDir,
            OutputDir = target.Path,
            Engine = inputs.Choice("engine", NeighbourSearchEngines.Names),
            EngineOptions = EngineOptions(context),
            Force = target.Owned,
            MaxDegreeOfParallelism = threads == 0 ? Environment.ProcessorCount : threads,
            Parameters = Defaults with
            {
                K = inputs.Int32("k"),
                MinNeighbours = inputs.Int32("min_neighbours"),
                MinPlaylists = inputs.Int32("min_playlists"),
                PoolSize = inputs.Int32("pool_size"),
                ShuffleCandidates = inputs.Boolean("shuffle_candidates"),
                Seed = inputs.Seed("seed"),
            },
        };
        var problems = request.Validate();
        if (problems.Count > 0)
        {
            throw new StepFailedException("pairing.knn: " + string.Join(" ", problems));
        }

        var dataset = await OpenDatasetAsync(datasetDir, cancellationToken);
        var manifest = await DatasetOutputs.ReadCompleteAsync(target.Path, PairingLayout.Kind, cancellationToken);
        if (manifest is not null && string.Equals(manifest.Parent, dataset.ContentHash, StringComparison.Ordinal) && SameParameters(manifest, request))
        {
            context.Log($"reusing the complete pairing in {target.Path} (same dataset and parameters, content {manifest.ContentHash[..12]})");
        }
        else
        {
            DatasetOutputs.ThrowIfForeignOutput(target, "pairing");
            manifest = await PairAsync(request, context, cancellationToken);
        }

        var outputs = Outputs(target.Path, manifest);
        if (inputs.Boolean("publish"))
        {
            outputs["published_key"] = await PairingPublisher.PublishAsync(artifacts, target.Path, manifest, context, cancellationToken);
            outputs["pointer_key"] = PairingPublisher.PointerKey;
        }

        return outputs;
    }

    private static async Task<DatasetManifest> PairAsync(PairingRequest request, StepContext context, CancellationToken cancellationToken)
    {
        context.Log(string.Create(CultureInfo.InvariantCulture,
            $"pairing {request.DatasetDir} with the {request.Engine} engine (k {request.Parameters.K}, pool size {request.Parameters.PoolSize}, {request.MaxDegreeOfParallelism} threads) into {request.OutputDir}"));
        var progress = new StepProgressLog<PairingProgress>(context.Log, p => (p.Phase, p.Done, p.Total));
        PairingResult result;
        try
        {
            result = await Task.Run(() => PairingPipeline.RunAsync(request, progress, cancellationToken), cancellationToken);
        }
        catch (NeighbourSearchUnavailableException ex)
        {
            throw new StepInputException("engine", ex.Message);
        }
        catch (ArgumentException ex) when (ex.ParamName == "settings")
        {
            throw new StepInputException("engine_options", ex.Message);
        }
        catch (InvalidDataException ex)
        {
            throw new StepFailedException($"the dataset '{request.DatasetDir}' cannot be paired: {ex.Message}", ex);
        }

        progress.Complete();
        var manifest = await DatasetManifest.ReadAsync(result.ManifestPath, cancellationToken);
        context.Log(string.Create(CultureInfo.InvariantCulture,
            $"paired {DatasetOutputs.Count(manifest, "users"):N0} users: {DatasetOutputs.Count(manifest, "users_with_pool"):N0} with a pool, {DatasetOutputs.Count(manifest, "no_pool_users"):N0} without, {DatasetOutputs.Count(manifest, "pool_rows"):N0} pool rows (content {manifest.ContentHash[..12]})"));
        foreach (var warning in manifest.Warnings)
        {
            context.Log($"warning: {warning}");
        }

        return manifest;
    }

    private static async Task<DatasetManifest> OpenDatasetAsync(string datasetDir, CancellationToken cancellationToken)
    {
        try
        {
            return await PreparedDatasetManifest.ReadAsync(datasetDir, "pairing", cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException)
        {
            throw new StepInputException("dataset", ex.Message);
        }
    }

    private static Dictionary<string, string> EngineOptions(StepContext context)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        if (context.Inputs["engine_options"] is not { } node)
        {
            return options;
        }

        if (node is not JsonObject map)
        {
            throw new StepInputException("engine_options", $"must be an object of name → string; got {node.ToJsonString()}");
        }

        foreach (var (name, value) in map)
        {
            options[name] = value switch
            {
                JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                JsonValue v => v.ToJsonString(),
                _ => throw new StepInputException("engine_options", $"'{name}' must be a string or number; got {value?.ToJsonString() ?? "null"}"),
            };
        }

        return options;
    }

    private static bool SameParameters(DatasetManifest manifest, PairingRequest request)
    {
        var saved = manifest.Parameters;
        if (saved.Deserialize<PairingParameters>(DatasetOutputs.ParameterJson) != request.Parameters
            || saved["engine"]?.GetValue<string>() != request.Engine)
        {
            return false;
        }

        var options = saved["engine_options"] as JsonObject ?? [];
        return options.Count == request.EngineOptions.Count
            && request.EngineOptions.All(o => options[o.Key] is JsonValue v && v.GetValue<string>() == o.Value);
    }

    private static JsonObject Outputs(string directory, DatasetManifest manifest) => new()
    {
        ["pairing"] = Path.GetFullPath(directory),
        ["content_hash"] = manifest.ContentHash,
        ["parent"] = manifest.Parent,
        ["users"] = DatasetOutputs.Count(manifest, "users"),
        ["users_with_pool"] = DatasetOutputs.Count(manifest, "users_with_pool"),
        ["no_pool_users"] = DatasetOutputs.Count(manifest, "no_pool_users"),
        ["pool_rows"] = DatasetOutputs.Count(manifest, "pool_rows"),
        ["counts"] = DatasetOutputs.Counts(manifest),
        ["warnings"] = DatasetOutputs.Warnings(manifest),
    };
}
