using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SpotifyBuddies.Core.Preparation;
using SpotifyBuddies.Data.Datasets;
using SpotifyBuddies.Data.Formats;
using SpotifyBuddies.Data.Inspection;
using SpotifyBuddies.Data.Preparation;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Definitions;

namespace SpotifyBuddies.Workflows.Steps;

/// <summary>
/// <c>data.prepare</c>: raw inputs → prepared Parquet dataset (<see cref="DataPreparation"/>, as
/// <c>buddies data prepare</c>). A complete earlier output with the same parameters and unchanged inputs is reused.
/// </summary>
public sealed class DataPrepareStep : IWorkflowStep
{
    private static readonly PreparationParameters Defaults = new();

    public StepDescriptor Descriptor { get; } = new()
    {
        Name = StepNames.DataPrepare,
        Title = "Prepare the training dataset",
        Category = "data",
        Queue = StepQueues.DataPrep,
        Description = "Prepare a training dataset from the raw inputs as the original system did: song keys, user×playlist overlaps, " +
                      "likes, cold users and 70/20/10 splits, playlist ownership, hard/easy negatives and BPR triplets, validation " +
                      "and test batches. Writes Parquet with manifest.json and a statistics report.",
        Inputs =
        [
            Ports.Required("raw", DataType.String, "Raw data root with mpd/, entp/train_triplets.txt and msd/unique_tracks.txt or msd/song_data.csv (e.g. data.synth's 'raw')."),
            Ports.In("seed", (long)Defaults.Seed, "Random seed; the same inputs, parameters and seed give byte-identical files."),
            Ports.In("sample_users", Defaults.SampleUsers, "Fraction of users to keep, in (0, 1] (the original used 0.1)."),
            Ports.In("liked_fraction", Defaults.LikedFraction, "A user likes the top max(1, ceil(f·n)) of their n overlapping playlists; in (0, 1]."),
            Ports.In("cold_users", Defaults.ColdUserFraction, "Fraction of users held out as new/cold users, in [0, 1)."),
            Ports.In("ownership_cap", (long)Defaults.OwnershipCap, "Most playlists one user may own."),
            Ports.In("negatives", (long)Defaults.NegativesPerPositive, "Training triplets per train positive."),
            Ports.In("hard_negatives", (long)Defaults.HardNegativesPerPositive, "How many of a positive's negatives come from the hard pool (at most 'negatives')."),
            Ports.In("eval_negatives", (long)Defaults.EvaluationNegatives, "Negatives per validation/test row."),
            Ports.In("skip_bad", false, "Skip malformed input records (counted in the statistics) instead of failing on the first one."),
            Ports.In("threads", 0L, "Worker threads, 0 = one per core (speed only, never the content)."),
            Ports.OutputDirectory("the prepared dataset"),
        ],
        Outputs =
        [
            Ports.Out("dataset", DataType.String, "The prepared dataset directory (input of pairing.knn and training.bpr)."),
            Ports.Out("content_hash", DataType.String, "The manifest's content hash: equal for equal content."),
            Ports.Out("users", DataType.Integer, "Users in the dataset."),
            Ports.Out("playlists", DataType.Integer, "Playlists in the dataset."),
            Ports.Out("triplets", DataType.Integer, "BPR training triplets."),
            Ports.Out("validation_rows", DataType.Integer, "Validation rows (a positive among negatives)."),
            Ports.Out("test_rows", DataType.Integer, "Test rows."),
            Ports.Out("counts", DataType.Object, "Every headline count of the manifest, by name."),
            Ports.Out("warnings", DataType.Array, "The preparation's warnings.", DataType.String),
        ],
    };

    public async Task<JsonObject> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var inputs = new StepInputs(context, Descriptor);
        var raw = inputs.String("raw");
        var parameters = Defaults with
        {
            Seed = inputs.Seed("seed"),
            SampleUsers = inputs.Number("sample_users"),
            LikedFraction = inputs.Number("liked_fraction"),
            ColdUserFraction = inputs.Number("cold_users"),
            OwnershipCap = inputs.Int32("ownership_cap"),
            NegativesPerPositive = inputs.Int32("negatives"),
            HardNegativesPerPositive = inputs.Int32("hard_negatives"),
            EvaluationNegatives = inputs.Int32("eval_negatives"),
        };
        var threads = inputs.Int32("threads", 0, 4096);
        var target = StepOutput.For(context, inputs.OptionalString("out"), "dataset");
        var paths = Discover(raw);
        var request = new PrepareRequest
        {
            Inputs = paths,
            OutputDir = target.Path,
            Force = target.Owned,
            Parameters = parameters,
            ReadOptions = new ReadOptions { SkipBad = inputs.Boolean("skip_bad") },
            MaxDegreeOfParallelism = threads == 0 ? Environment.ProcessorCount : threads,
        };
        var problems = request.Validate();
        if (problems.Count > 0)
        {
            throw new StepFailedException("data.prepare: " + string.Join(" ", problems));
        }

        if (await DatasetOutputs.ReadCompleteAsync(target.Path, PreparedDatasetLayout.Kind, cancellationToken) is { } previous
            && SameParameters(previous, parameters)
            && DatasetOutputs.InputsUnchanged(previous, [.. paths.MpdSlices, paths.TasteTriplets, paths.MsdSongs]))
        {
            context.Log($"reusing the complete prepared dataset in {target.Path} (same inputs and parameters, content {previous.ContentHash[..12]})");
            return Outputs(target.Path, previous);
        }

        DatasetOutputs.ThrowIfForeignOutput(target, "prepared dataset");
        context.Log(string.Create(CultureInfo.InvariantCulture, $"preparing {paths.MpdSlices.Count} MPD slice(s), {paths.TasteTriplets} and {paths.MsdSongs} into {target.Path} (seed {parameters.Seed}, {request.MaxDegreeOfParallelism} threads)"));
        var progress = new StepProgressLog<PreparePhaseProgress>(context.Log, p => (p.Phase, p.Done, p.Total));
        PrepareResult result;
        try
        {
            result = await Task.Run(() => DataPreparation.RunAsync(request, progress, cancellationToken), cancellationToken);
        }
        catch (InvalidDatasetException ex)
        {
            throw new StepFailedException($"the raw inputs in '{raw}' cannot make a dataset: {ex.Message}", ex);
        }

        progress.Complete();
        var manifest = await DatasetManifest.ReadAsync(result.ManifestPath, cancellationToken);
        context.Log(string.Create(CultureInfo.InvariantCulture,
            $"prepared {DatasetOutputs.Count(manifest, "users"):N0} users, {DatasetOutputs.Count(manifest, "playlists"):N0} playlists, {DatasetOutputs.Count(manifest, "triplets"):N0} triplets (content {manifest.ContentHash[..12]})"));
        foreach (var warning in manifest.Warnings)
        {
            context.Log($"warning: {warning}");
        }

        return Outputs(result.OutputDir, manifest);
    }

    private static RawDatasetPaths Discover(string raw)
    {
        try
        {
            return RawDatasetPaths.Discover(Path.GetFullPath(raw));
        }
        catch (Exception ex) when (ex is InvalidDatasetException or ArgumentException)
        {
            throw new StepInputException("raw", $"is not a raw data root: {ex.Message.ReplaceLineEndings("; ")}");
        }
    }

    private static bool SameParameters(DatasetManifest manifest, PreparationParameters parameters) =>
        manifest.Parameters.Deserialize<PreparationParameters>(DatasetOutputs.ParameterJson) == parameters;

    private static JsonObject Outputs(string directory, DatasetManifest manifest) => new()
    {
        ["dataset"] = Path.GetFullPath(directory),
        ["content_hash"] = manifest.ContentHash,
        ["users"] = DatasetOutputs.Count(manifest, "users"),
        ["playlists"] = DatasetOutputs.Count(manifest, "playlists"),
        ["triplets"] = DatasetOutputs.Count(manifest, "triplets"),
        ["validation_rows"] = DatasetOutputs.Count(manifest, "validation_rows"),
        ["test_rows"] = DatasetOutputs.Count(manifest, "test_rows"),
        ["counts"] = DatasetOutputs.Counts(manifest),
        ["warnings"] = DatasetOutputs.Warnings(manifest),
    };
}
