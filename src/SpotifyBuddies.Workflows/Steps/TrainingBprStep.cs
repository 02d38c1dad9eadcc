using System.Globalization;
using System.Text.Json.Nodes;
using SpotifyBuddies.Core.Artifacts;
using SpotifyBuddies.Core.ModelArtifacts;
using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Data.Datasets;
using SpotifyBuddies.Models.Ranking;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Definitions;

namespace SpotifyBuddies.Workflows.Steps;

/// <summary>
/// <c>training.bpr</c>: prepared dataset → BPR model directory (<see cref="BprTraining"/>, as <c>buddies train</c>),
/// tracked in the experiment tracker. Registration is <c>model.register</c>'s job, so the training itself registers
/// nothing.
/// </summary>
/// <remarks>
/// Resumable: checkpoints go to the artifact store under this step execution's own prefix
/// (<see cref="ArtifactKeys.WorkflowStep"/>) and training always runs with <see cref="BprTrainingRequest.Resume"/>, so an
/// attempt after a crash continues from the last completed epoch (and the same tracked run); with nothing stored it
/// starts fresh. Once the model is written and its run finished, the checkpoints are deleted, and a further attempt
/// reuses the finished model (same fingerprint, tracked run FINISHED) instead of training again.
/// </remarks>
public sealed class TrainingBprStep(IArtifactStore artifacts, IExperimentTracker tracker) : IWorkflowStep
{
    private static readonly BprHyperparameters Defaults = new();
    private static readonly BprTrainingRequest RequestDefaults = new() { DatasetDir = ".", OutputDir = "." };

    public StepDescriptor Descriptor { get; } = new()
    {
        Name = StepNames.TrainingBpr,
        Title = "Train the BPR ranking model",
        Category = "training",
        Queue = StepQueues.Training,
        Description = "Train the BPR ranking model (user and playlist embeddings, lazy Adam by default), evaluating on every " +
                      "validation row beside a popularity baseline, with early stopping and per-epoch checkpoints; the best model " +
                      "is evaluated on the test rows and written as a model directory, and the run is recorded in the experiment tracker.",
        Inputs =
        [
            Ports.Required("dataset", DataType.String, "A prepared dataset directory (data.prepare's 'dataset')."),
            Ports.In("backend", BprBackends.Native, "native: fused C# CPU kernel; torch: TorchSharp (CUDA when present); auto: torch on CUDA, else native."),
            Ports.In("epochs", (long)Defaults.Epochs, "Passes over the triplets."),
            Ports.In("dim", (long)Defaults.Dimensions, "Embedding dimensions."),
            Ports.In("learning_rate", Defaults.LearningRate, "Learning rate."),
            Ports.In("optimizer", BprOptimizers.Name(Defaults.Optimizer), $"Optimizer: {string.Join(", ", BprOptimizers.Names)} (adagrad needs a larger learning rate, e.g. 0.1)."),
            Ports.In("batch_size", (long)Defaults.BatchSize, "Triplets per optimizer step."),
            Ports.In("patience", (long)Defaults.Patience, "Early stopping: stop after this many evaluations without a val-MRR improvement."),
            Ports.In("evals_per_epoch", (long)RequestDefaults.EvaluationsPerEpoch, "Evaluations on the validation rows per epoch."),
            Ports.Optional("target_mrr", DataType.Number, "Stop as soon as val MRR reaches this value, in (0, 1]."),
            Ports.In("seed", (long)Defaults.Seed, "Seeds the initial embeddings and each epoch's batch order."),
            Ports.In("threads", 0L, "Worker threads, 0 = one per core (more than one: the native backend updates lock-free, results vary slightly)."),
            Ports.In("experiment", RequestDefaults.ExperimentName, "Experiment the run is tracked in."),
            Ports.Optional("run_name", DataType.String, "Name of the tracked run (default: '<workflow>-<step>')."),
            Ports.In("model_name", RequestDefaults.ModelName, "Registered-model name recorded in model.json."),
            Ports.OutputDirectory("the model (model.json, embeddings.safetensors, id maps)"),
        ],
        Outputs =
        [
            Ports.Out("model_dir", DataType.String, "The model directory (input of model.evaluate and model.register)."),
            Ports.Out("run_id", DataType.String, "The tracked run's id."),
            Ports.Out("fingerprint", DataType.String, "Hash of the dataset, backend and hyperparameters (names the checkpoints)."),
            Ports.Out("backend", DataType.String, "The backend that trained (auto resolved)."),
            Ports.Out("dataset_hash", DataType.String, "Content hash of the dataset trained on."),
            Ports.Out("val_mrr", DataType.Number, "Validation MRR of the saved (best) model."),
            Ports.Out("popularity_val_mrr", DataType.Number, "Validation MRR of the popularity baseline."),
            Ports.Out("test_mrr", DataType.Number, "Test MRR of the saved model."),
            Ports.Out("popularity_test_mrr", DataType.Number, "Test MRR of the popularity baseline."),
            Ports.Out("test_hit_at_10", DataType.Number, "Test Hit@10 of the saved model."),
            Ports.Out("epochs_run", DataType.Integer, "Epochs run (early stopping may end before 'epochs')."),
            Ports.Out("resumed_from_epoch", DataType.Integer, "The epoch this attempt resumed after (0 = started fresh; all epochs when a finished model was reused)."),
            Ports.Out("stop_reason", DataType.String, "Why training stopped."),
        ],
    };

    public async Task<JsonObject> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var inputs = new StepInputs(context, Descriptor);
        var target = StepOutput.For(context, inputs.OptionalString("out"), "model");
        var threads = inputs.Int32("threads", 0, 4096);
        var optimizer = inputs.Choice("optimizer", BprOptimizers.Names);
        var request = new BprTrainingRequest
        {
            DatasetDir = Path.GetFullPath(inputs.String("dataset")),
            OutputDir = target.Path,
            Backend = inputs.Choice("backend", BprBackends.Names),
            Threads = threads == 0 ? Environment.ProcessorCount : threads,
            Resume = true,
            Force = target.Owned,
            TargetMrr = context.Inputs["target_mrr"] is null ? null : inputs.Number("target_mrr"),
            EvaluationsPerEpoch = inputs.Int32("evals_per_epoch"),
            ExperimentName = inputs.String("experiment"),
            RunName = inputs.OptionalString("run_name") is { Length: > 0 } name ? name : $"{context.Workflow}-{StepKeys.Execution(context)}",
            ModelName = inputs.String("model_name"),
            RegisterAliases = [],
            Tags = StepKeys.Tags(context),
            Hyperparameters = Defaults with
            {
                Epochs = inputs.Int32("epochs"),
                Dimensions = inputs.Int32("dim"),
                LearningRate = inputs.Number("learning_rate"),
                Optimizer = BprOptimizers.Parse(optimizer),
                BatchSize = inputs.Int32("batch_size"),
                Patience = inputs.Int32("patience"),
                Seed = inputs.Seed("seed"),
            },
        };
        var problems = request.Validate();
        if (problems.Count > 0)
        {
            throw new StepFailedException("training.bpr: " + string.Join(" ", problems));
        }

        DatasetManifest dataset;
        try
        {
            dataset = await PreparedDatasetManifest.ReadAsync(request.DatasetDir, "training", cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException)
        {
            throw new StepInputException("dataset", ex.Message);
        }

        var backend = BprBackends.Resolve(request.Backend);
        var fingerprint = BprTraining.Fingerprint(dataset.ContentHash, backend, request.Hyperparameters);
        if (await FinishedModelAsync(target.Path, fingerprint, cancellationToken) is { } finished)
        {
            context.Log($"reusing the finished model in {target.Path} (fingerprint {fingerprint}, run {finished.RunId})");
            return ReusedOutputs(target.Path, finished, fingerprint, backend);
        }

        DatasetOutputs.ThrowIfForeignOutput(target, "finished model of the same training");

        var checkpoints = new ScopedArtifactStore(artifacts, ArtifactKeys.WorkflowStep(context.RunId, StepKeys.Execution(context)));
        context.Log(string.Create(CultureInfo.InvariantCulture,
            $"training on {request.DatasetDir} ({DatasetOutputs.Count(dataset, "triplets"):N0} triplets) with the {backend} backend, {request.Hyperparameters.Epochs} epoch(s), d {request.Hyperparameters.Dimensions}; checkpoints in {checkpoints.Location}; tracked in {tracker.Location}"));
        var progress = new StepProgressLog<BprProgress>(context.Log, p => (p.Phase, p.Done, p.Total));
        BprTrainingResult result;
        try
        {
            result = await Task.Run(
                () => BprTraining.RunAsync(request, new BprTrainingServices { Checkpoints = checkpoints, Tracker = tracker, Registry = null }, progress, cancellationToken),
                cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            throw new StepFailedException($"cannot train on '{request.DatasetDir}': {ex.Message}", ex);
        }

        progress.Complete();
        if (result.ResumedFromEpoch > 0)
        {
            context.Log($"resumed after epoch {result.ResumedFromEpoch} from the checkpoints of an earlier attempt");
        }

        foreach (var h in result.History)
        {
            context.Log(string.Create(CultureInfo.InvariantCulture,
                $"epoch {h.EpochFraction:0.##}: loss {h.TrainLoss:F4}, val MRR {h.Val.Mrr:F4}, Hit@10 {h.Val.HitAt10:F3}{(h.Step == result.BestStep ? " (best)" : "")}"));
        }

        context.Log(string.Create(CultureInfo.InvariantCulture,
            $"{result.StopReason}; test MRR {result.Test.Mrr:F4} (popularity {result.PopularityTest.Mrr:F4}); model in {result.ModelDir}; run {result.RunId}"));
        var removed = await checkpoints.ClearAsync(cancellationToken);
        context.Log($"removed {removed} checkpoint object(s): the finished model replaces them");

        return new JsonObject
        {
            ["model_dir"] = result.ModelDir,
            ["run_id"] = result.RunId,
            ["fingerprint"] = result.Fingerprint,
            ["backend"] = result.Backend,
            ["dataset_hash"] = result.DatasetHash,
            ["val_mrr"] = result.BestVal.Mrr,
            ["popularity_val_mrr"] = result.PopularityVal.Mrr,
            ["test_mrr"] = result.Test.Mrr,
            ["popularity_test_mrr"] = result.PopularityTest.Mrr,
            ["test_hit_at_10"] = result.Test.HitAt10,
            ["epochs_run"] = result.Epochs,
            ["resumed_from_epoch"] = result.ResumedFromEpoch,
            ["stop_reason"] = result.StopReason,
        };
    }

    /// <summary>The model.json of a finished model of this very training whose tracked run is FINISHED, or null.</summary>
    private async Task<ModelManifest?> FinishedModelAsync(string directory, string fingerprint, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, ModelManifest.FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        ModelManifest manifest;
        try
        {
            manifest = await ModelManifest.ReadAsync(path, cancellationToken);
        }
        catch (InvalidDataException)
        {
            return null;
        }

        if (manifest.RunId is null || manifest.Training["fingerprint"]?.GetValue<string>() != fingerprint)
        {
            return null;
        }

        try
        {
            return (await tracker.GetRunAsync(manifest.RunId, cancellationToken)).Status == RunStatus.Finished ? manifest : null;
        }
        catch (TrackingNotFoundException)
        {
            return null;
        }
    }

    private static JsonObject ReusedOutputs(string directory, ModelManifest manifest, string fingerprint, string backend)
    {
        double Metric(string name) => manifest.Metrics.TryGetValue(name, out var value)
            ? value
            : throw new StepFailedException($"the finished model in '{directory}' has no '{name}' metric in model.json");
        var epochs = (int)Metric("epochs_run");
        return new JsonObject
        {
            ["model_dir"] = Path.GetFullPath(directory),
            ["run_id"] = manifest.RunId,
            ["fingerprint"] = fingerprint,
            ["backend"] = backend,
            ["dataset_hash"] = manifest.DatasetHash,
            ["val_mrr"] = Metric("best_val_mrr"),
            ["popularity_val_mrr"] = Metric("popularity_val_mrr"),
            ["test_mrr"] = Metric("test_mrr"),
            ["popularity_test_mrr"] = Metric("popularity_test_mrr"),
            ["test_hit_at_10"] = Metric("test_hit_10"),
            ["epochs_run"] = epochs,
            ["resumed_from_epoch"] = epochs,
            ["stop_reason"] = manifest.Training["stop_reason"]?.GetValue<string>() ?? "finished",
        };
    }
}
