using System.Globalization;
using System.Text.Json.Nodes;
using SpotifyBuddies.Core.ModelArtifacts;
using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Definitions;

namespace SpotifyBuddies.Workflows.Steps;

/// <summary>
/// <c>model.register</c>: makes a trained model a new version of a registered model and points an alias at it
/// (<c>staging</c> by default), and <c>champion</c> too when no champion exists yet. The version's source is the run's
/// artifact URI + <c>/model</c>, as <see cref="Models.Ranking.BprTraining"/> registers.
/// </summary>
/// <remarks>
/// Idempotent: the version is tagged with the workflow run and step execution, and an attempt first looks for a version
/// so tagged, so a re-run after a crash finishes the aliases instead of creating a second version.
/// </remarks>
public sealed class ModelRegisterStep(IExperimentTracker tracker, IModelRegistry registry) : IWorkflowStep
{
    public StepDescriptor Descriptor { get; } = new()
    {
        Name = StepNames.ModelRegister,
        Title = "Register the model",
        Category = "model",
        Queue = StepQueues.Default,
        Description = "Register the trained model as a new version in the model registry (from the tracked run's logged model " +
                      "directory) and point an alias at it; the champion alias too when the model has no champion yet.",
        Inputs =
        [
            Ports.Required("run_id", DataType.String, "The tracked training run (training.bpr's 'run_id')."),
            Ports.Required("model_dir", DataType.String, "The trained model directory (training.bpr's 'model_dir'); logged to the run if it is not there yet."),
            Ports.In("model_name", "spotify-buddies-bpr", "The registered model (created when missing)."),
            Ports.In("alias", ModelAliases.Staging, "Alias pointed at the new version."),
            Ports.In("champion_if_none", true, $"Also point '{ModelAliases.Champion}' at the new version when the model has no {ModelAliases.Champion} yet."),
        ],
        Outputs =
        [
            Ports.Out("model_name", DataType.String, "The registered model."),
            Ports.Out("version", DataType.String, "The version created (or found, on a re-run)."),
            Ports.Out("aliases", DataType.Array, "Every alias that points at the version now.", DataType.String),
            Ports.Out("source", DataType.String, "Where the version's files are."),
        ],
    };

    public async Task<JsonObject> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var inputs = new StepInputs(context, Descriptor);
        var runId = inputs.String("run_id");
        var modelDir = Path.GetFullPath(inputs.String("model_dir"));
        var name = inputs.String("model_name");
        var alias = inputs.String("alias");

        var manifest = await ReadManifestAsync(modelDir, cancellationToken);
        if (manifest.RunId is { } trainedBy && !string.Equals(trainedBy, runId, StringComparison.Ordinal))
        {
            throw new StepFailedException($"the model in '{modelDir}' was trained by run {trainedBy}, not run {runId}: refusing to register it under the wrong run");
        }

        TrackedRun run;
        try
        {
            run = await tracker.GetRunAsync(runId, cancellationToken);
        }
        catch (TrackingNotFoundException ex)
        {
            throw new StepInputException("run_id", $"names no run in {tracker.Location}: {ex.Message}");
        }

        await EnsureModelLoggedAsync(runId, modelDir, context, cancellationToken);
        await registry.GetOrCreateModelAsync(name, "BPR playlist ranking model (Spotify Buddies)", cancellationToken);

        var tags = StepKeys.Tags(context);
        var version = await FindOwnVersionAsync(name, tags, cancellationToken);
        if (version is null)
        {
            tags[TrackingTags.DatasetHash] = manifest.DatasetHash;
            if (manifest.Training["backend"]?.GetValue<string>() is { } backend)
            {
                tags[TrackingTags.Backend] = backend;
            }

            if (manifest.Metrics.TryGetValue("best_val_mrr", out var valMrr))
            {
                tags["val_mrr"] = valMrr.ToString(CultureInfo.InvariantCulture);
            }

            version = await registry.CreateVersionAsync(name, run.ArtifactUri.TrimEnd('/') + "/model", runId, tags, cancellationToken);
            context.Log($"registered {name} version {version.Version} from run {runId} ({version.Source})");
        }
        else
        {
            context.Log($"found {name} version {version.Version}, registered by an earlier attempt of this step: not creating another");
        }

        await registry.SetAliasAsync(name, alias, version.Version, cancellationToken);
        context.Log($"{name}@{alias} → version {version.Version}");
        if (inputs.Boolean("champion_if_none") && await registry.GetVersionByAliasAsync(name, ModelAliases.Champion, cancellationToken) is null)
        {
            await registry.SetAliasAsync(name, ModelAliases.Champion, version.Version, cancellationToken);
            context.Log($"{name} had no {ModelAliases.Champion}: {name}@{ModelAliases.Champion} → version {version.Version}");
        }

        var current = await registry.GetVersionAsync(name, version.Version, cancellationToken);
        return new JsonObject
        {
            ["model_name"] = name,
            ["version"] = current.Version,
            ["aliases"] = new JsonArray([.. current.Aliases.Order(StringComparer.Ordinal).Select(a => (JsonNode?)a)]),
            ["source"] = current.Source,
        };
    }

    private static async Task<ModelManifest> ReadManifestAsync(string modelDir, CancellationToken cancellationToken)
    {
        var path = Path.Combine(modelDir, ModelManifest.FileName);
        if (!File.Exists(path))
        {
            throw new StepInputException("model_dir", $"'{modelDir}' has no {ModelManifest.FileName}: it is not a model directory");
        }

        try
        {
            return await ModelManifest.ReadAsync(path, cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            throw new StepInputException("model_dir", ex.Message);
        }
    }

    /// <summary>The version's source is the run's <c>model</c> artifact folder: upload the model there unless it already is.</summary>
    private async Task EnsureModelLoggedAsync(string runId, string modelDir, StepContext context, CancellationToken cancellationToken)
    {
        IReadOnlyList<RunArtifact> logged;
        try
        {
            logged = await tracker.ListArtifactsAsync(runId, "model", cancellationToken);
        }
        catch (TrackingNotFoundException)
        {
            logged = [];
        }

        if (!logged.Any(a => !a.IsDirectory && a.Path.EndsWith("/" + ModelManifest.FileName, StringComparison.Ordinal)))
        {
            await tracker.LogArtifactsAsync(runId, modelDir, "model", cancellationToken);
            context.Log($"logged {modelDir} to run {runId} as 'model'");
        }
    }

    private async Task<ModelVersion?> FindOwnVersionAsync(string name, Dictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var versions = await registry.ListVersionsAsync(name, cancellationToken);
        return versions.FirstOrDefault(v =>
            v.Tags.TryGetValue(StepKeys.WorkflowRunTag, out var run) && run == tags[StepKeys.WorkflowRunTag]
            && v.Tags.TryGetValue(StepKeys.WorkflowStepTag, out var step) && step == tags[StepKeys.WorkflowStepTag]);
    }
}
