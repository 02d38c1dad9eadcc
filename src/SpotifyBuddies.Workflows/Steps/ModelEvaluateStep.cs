using System.Globalization;
using System.Text.Json.Nodes;
using SpotifyBuddies.Core.Ranking;
using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Models.Ranking;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Definitions;

namespace SpotifyBuddies.Workflows.Steps;

/// <summary>
/// <c>model.evaluate</c>: scores a trained model on the prepared dataset's test rows with the training's own evaluator
/// (<see cref="BprEvaluator"/>, <see cref="RankingMetrics"/>), beside the popularity baseline and the registered
/// <c>champion</c> (fetched from the registry and evaluated on the same rows), and decides <c>passed</c> from
/// configurable gates. It changes nothing, so a re-run simply evaluates again.
/// </summary>
public sealed class ModelEvaluateStep(IExperimentTracker tracker, IModelRegistry registry) : IWorkflowStep
{
    public StepDescriptor Descriptor { get; } = new()
    {
        Name = StepNames.ModelEvaluate,
        Title = "Evaluate against the champion",
        Category = "model",
        Queue = StepQueues.Training,
        Description = "Rank each test row's positive among its negatives with the model (MRR, Hit@1/5/10, pessimistic ties), " +
                      "beside the popularity baseline and the current champion on the same rows, and pass or fail the model on " +
                      "configurable gates (minimum MRR, lift over popularity, regression against the champion).",
        Inputs =
        [
            Ports.Required("model_dir", DataType.String, "The model directory to evaluate (training.bpr's 'model_dir')."),
            Ports.Required("dataset", DataType.String, "The prepared dataset whose test rows are used (the one the model was trained on)."),
            Ports.In("model_name", "spotify-buddies-bpr", "Registered model whose champion the model is compared with."),
            Ports.In("champion_alias", ModelAliases.Champion, "The alias that names the current champion version."),
            Ports.In("compare_with_champion", true, "Evaluate the champion (when one is registered) and apply the regression gate."),
            Ports.In("min_test_mrr", 0.0, "Gate: test MRR must be at least this."),
            Ports.In("min_lift_over_popularity", 1.0, "Gate: test MRR must be at least the popularity baseline's test MRR times this."),
            Ports.In("max_regression_vs_champion", 0.01, "Gate: test MRR must be at least the champion's test MRR minus this " +
                "(absolute; the default tolerates run-to-run noise: multi-threaded training on the same data differs by about 0.001)."),
            Ports.In("threads", 0L, "Worker threads, 0 = one per core (speed only, never the result)."),
        ],
        Outputs =
        [
            Ports.Out("passed", DataType.Boolean, "True when every gate passed."),
            Ports.Out("test_mrr", DataType.Number, "The model's test MRR."),
            Ports.Out("test_hit_at_1", DataType.Number, "The model's test Hit@1."),
            Ports.Out("test_hit_at_5", DataType.Number, "The model's test Hit@5."),
            Ports.Out("test_hit_at_10", DataType.Number, "The model's test Hit@10."),
            Ports.Out("test_rows", DataType.Integer, "Test rows ranked."),
            Ports.Out("popularity_mrr", DataType.Number, "The popularity baseline's test MRR."),
            Ports.Out("popularity_hit_at_10", DataType.Number, "The popularity baseline's test Hit@10."),
            Ports.Out("champion_version", DataType.String, "The champion's version, or null when none is registered (or the comparison is off)."),
            Ports.Out("champion_mrr", DataType.Number, "The champion's test MRR on the same rows, or null."),
            Ports.Out("champion_hit_at_10", DataType.Number, "The champion's test Hit@10 on the same rows, or null."),
            Ports.Out("reasons", DataType.Array, "One line per gate: 'passed: …' or 'failed: …'.", DataType.String),
        ],
    };

    public async Task<JsonObject> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var inputs = new StepInputs(context, Descriptor);
        var modelDir = Path.GetFullPath(inputs.String("model_dir"));
        var datasetDir = Path.GetFullPath(inputs.String("dataset"));
        var modelName = inputs.String("model_name");
        var minMrr = inputs.Number("min_test_mrr", 0, 1);
        var minLift = inputs.Number("min_lift_over_popularity", 0);
        var maxRegression = inputs.Number("max_regression_vs_champion", 0, 1);
        var threads = inputs.Int32("threads", 0, 4096);
        threads = threads == 0 ? Environment.ProcessorCount : threads;

        BprDataset dataset;
        try
        {
            dataset = await BprDataset.OpenAsync(datasetDir, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException)
        {
            throw new StepInputException("dataset", ex.Message);
        }

        using (dataset)
        {
            context.Log(string.Create(CultureInfo.InvariantCulture, $"evaluating {modelDir} on {dataset.Test.Count:N0} test rows of {datasetDir}"));
            var model = await LoadAsync(modelDir, dataset, "the model", context, cancellationToken);
            var test = BprEvaluator.Evaluate(model.Embeddings, dataset.Test, threads, cancellationToken);
            var popularity = BprEvaluator.Evaluate(dataset.Popularity, dataset.Test, threads, cancellationToken);
            context.Log(string.Create(CultureInfo.InvariantCulture,
                $"model: MRR {test.Mrr:F4}, Hit@1 {test.HitAt1:F3}, Hit@5 {test.HitAt5:F3}, Hit@10 {test.HitAt10:F3}; popularity: MRR {popularity.Mrr:F4}, Hit@10 {popularity.HitAt10:F3}"));

            ModelVersion? champion = null;
            RankingScores? championScores = null;
            if (inputs.Boolean("compare_with_champion"))
            {
                var alias = inputs.String("champion_alias");
                champion = await registry.GetVersionByAliasAsync(modelName, alias, cancellationToken);
                if (champion is null)
                {
                    context.Log($"no {modelName}@{alias}: nothing to compare with");
                }
                else
                {
                    var championDir = await RegisteredModelFiles.FetchAsync(
                        tracker, champion, Path.Combine(context.WorkDirectory, $"champion-v{champion.Version}"), cancellationToken);
                    var championModel = await LoadAsync(championDir, dataset, $"{modelName}@{alias} (version {champion.Version})", context, cancellationToken);
                    championScores = BprEvaluator.Evaluate(championModel.Embeddings, dataset.Test, threads, cancellationToken);
                    context.Log(string.Create(CultureInfo.InvariantCulture,
                        $"champion {modelName} version {champion.Version}: MRR {championScores.Mrr:F4}, Hit@10 {championScores.HitAt10:F3}"));
                }
            }

            var reasons = new List<string>();
            var passed = Gate(reasons, test.Mrr >= minMrr, F($"test MRR {test.Mrr:F4} {(test.Mrr >= minMrr ? "≥" : "<")} the minimum {minMrr:F4}"));
            var floor = popularity.Mrr * minLift;
            passed &= Gate(reasons, test.Mrr >= floor, F($"test MRR {test.Mrr:F4} {(test.Mrr >= floor ? "≥" : "<")} popularity MRR {popularity.Mrr:F4} × {minLift:0.###} = {floor:F4}"));
            if (championScores is not null)
            {
                var bar = championScores.Mrr - maxRegression;
                passed &= Gate(reasons, test.Mrr >= bar, F($"test MRR {test.Mrr:F4} {(test.Mrr >= bar ? "≥" : "<")} champion version {champion!.Version}'s {championScores.Mrr:F4} − {maxRegression:F4} = {bar:F4}"));
            }
            else
            {
                reasons.Add("passed: no champion to compare with (regression gate not applied)");
            }

            foreach (var reason in reasons)
            {
                context.Log(reason);
            }

            context.Log(passed ? "the model passed every gate" : "the model failed at least one gate");
            return new JsonObject
            {
                ["passed"] = passed,
                ["test_mrr"] = test.Mrr,
                ["test_hit_at_1"] = test.HitAt1,
                ["test_hit_at_5"] = test.HitAt5,
                ["test_hit_at_10"] = test.HitAt10,
                ["test_rows"] = test.Count,
                ["popularity_mrr"] = popularity.Mrr,
                ["popularity_hit_at_10"] = popularity.HitAt10,
                ["champion_version"] = championScores is null ? null : champion!.Version,
                ["champion_mrr"] = championScores?.Mrr,
                ["champion_hit_at_10"] = championScores?.HitAt10,
                ["reasons"] = new JsonArray([.. reasons.Select(r => (JsonNode?)r)]),
            };
        }
    }

    private static async Task<AlignedBprModel> LoadAsync(string directory, BprDataset dataset, string what, StepContext context, CancellationToken cancellationToken)
    {
        AlignedBprModel model;
        try
        {
            model = await BprModelEvaluation.LoadAlignedAsync(directory, dataset, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException)
        {
            throw new StepFailedException($"cannot load {what} from '{directory}': {ex.Message}", ex);
        }

        if (!model.SameDataset)
        {
            context.Log(string.Create(CultureInfo.InvariantCulture,
                $"{what} was trained on another dataset ({model.Manifest.DatasetHash[..12]}); matched by id: {model.UsersMapped:N0}/{dataset.Users:N0} users, {model.PlaylistsMapped:N0}/{dataset.Playlists:N0} playlists (the rest score 0)"));
        }

        return model;
    }

    private static bool Gate(List<string> reasons, bool ok, string text)
    {
        reasons.Add((ok ? "passed: " : "failed: ") + text);
        return ok;
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
