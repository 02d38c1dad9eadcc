using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using SpotifyBuddies.Cli.Composition;
using SpotifyBuddies.Cli.Output;
using SpotifyBuddies.Core.Ranking;
using SpotifyBuddies.Models.Ranking;

namespace SpotifyBuddies.Cli.Commands;

/// <summary><c>buddies train</c>: prepared dataset → BPR model artifact (embeddings + model.json), tracked and checkpointed.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var defaults = new BprHyperparameters();
        var dataset = new Argument<DirectoryInfo>("dataset") { Description = "A prepared dataset directory (from 'buddies data prepare')." };
        var outDir = new Option<DirectoryInfo>("--out", "-o")
        {
            Description = "Model directory to create: model.json, embeddings.safetensors (user and playlist embeddings), users/playlists id maps.",
            Required = true,
        };
        var backend = new Option<string>("--backend")
        {
            Description = "native: fused C# CPU kernel (fast on CPU); torch: TorchSharp (CUDA when present); auto: torch on CUDA, else native.",
            DefaultValueFactory = _ => BprBackends.Auto,
        };
        backend.AcceptOnlyFromAmong([.. BprBackends.Names]);
        var optimizer = new Option<string>("--optimizer")
        {
            Description = "lazy-adam (PyTorch SparseAdam semantics, the original's), adagrad (needs a larger --lr, e.g. 0.1) or sgd.",
            DefaultValueFactory = _ => BprOptimizers.Name(defaults.Optimizer),
        };
        optimizer.AcceptOnlyFromAmong([.. BprOptimizers.Names]);
        var dim = new Option<int>("--dim") { Description = "Embedding dimensions.", DefaultValueFactory = _ => defaults.Dimensions };
        var lr = new Option<double>("--lr") { Description = "Learning rate.", DefaultValueFactory = _ => defaults.LearningRate };
        var batch = new Option<int>("--batch-size") { Description = "Triplets per optimizer step.", DefaultValueFactory = _ => defaults.BatchSize };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the triplets.", DefaultValueFactory = _ => defaults.Epochs };
        var patience = new Option<int>("--patience")
        {
            Description = "Early stopping: stop after this many evaluations without a val-MRR improvement.",
            DefaultValueFactory = _ => defaults.Patience,
        };
        var seed = new Option<ulong>("--seed") { Description = "Seeds the initial embeddings and each epoch's batch order.", DefaultValueFactory = _ => defaults.Seed };
        var threads = new Option<int>("--threads")
        {
            Description = "Worker threads. With more than one, the native backend updates lock-free (Hogwild): slightly different results per run.",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var targetMrr = new Option<double?>("--target-mrr") { Description = "Stop as soon as val MRR reaches this value (time-to-quality runs)." };
        var evalsPerEpoch = new Option<int>("--evals-per-epoch")
        {
            Description = "Evaluate on the validation rows this many times per epoch (early stopping and --target-mrr see each).",
            DefaultValueFactory = _ => 1,
        };
        var resume = new Option<bool>("--resume")
        {
            Description = "Continue from the newest checkpoint of the same training (same dataset, hyperparameters, backend) after a crash or kill.",
        };
        var store = TrackingOptions.Create();
        var force = CommonOptions.Force();
        var json = CommonOptions.Json();

        var command = new Command(
            "train",
            "Train the BPR ranking model (original-system.md §3): user and playlist embeddings, score = dot product, loss " +
            "−mean log σ(s⁺ − s⁻) over the dataset's triplets, lazy Adam (SparseAdam) by default. Evaluates on every validation " +
            "row after each epoch (MRR, Hit@1/5/10, beside a popularity baseline), stops early on val MRR, checkpoints every epoch " +
            "(--resume continues after a kill), evaluates the best model on the test rows, and writes it as a model directory " +
            "(model.json + safetensors). The run, its metrics and the model are recorded in the experiment tracker.")
        {
            dataset, outDir, backend, optimizer, dim, lr, batch, epochs, patience, seed, threads, targetMrr, evalsPerEpoch, resume,
        };
        store.AddTo(command);
        command.Add(force);
        command.Add(json);

        TrackedAction.Set(command, async (parse, cancellationToken) =>
        {
            var datasetDir = parse.GetValue(dataset)!.FullName;
            var target = parse.GetValue(outDir)!.FullName;
            var request = new BprTrainingRequest
            {
                DatasetDir = datasetDir,
                OutputDir = target,
                Backend = parse.GetValue(backend)!,
                Threads = parse.GetValue(threads),
                Resume = parse.GetValue(resume),
                Force = parse.GetValue(force),
                TargetMrr = parse.GetValue(targetMrr),
                EvaluationsPerEpoch = parse.GetValue(evalsPerEpoch),
                ExperimentName = store.Experiment(parse),
                Hyperparameters = defaults with
                {
                    Dimensions = parse.GetValue(dim),
                    LearningRate = parse.GetValue(lr),
                    BatchSize = parse.GetValue(batch),
                    Epochs = parse.GetValue(epochs),
                    Patience = parse.GetValue(patience),
                    Seed = parse.GetValue(seed),
                    Optimizer = BprOptimizers.Parse(parse.GetValue(optimizer)!),
                },
            };
            CommandAction.ThrowIfInvalid(request.Validate());
            CommandAction.ThrowIfNotPreparedDataset(datasetDir);

            CommandAction.ThrowIfOutputExists(target, request.Force);
            using var backends = store.Open(parse);
            await backends.CheckReachableAsync(request.ExperimentName, cancellationToken);
            var services = TrackingOptions.TrainingServices(backends);
            var ui = ConsoleUi.Create(parse.GetValue(json));
            BprTrainingResult result;
            try
            {
                result = await ui.RunAsync(
                    "train",
                    progress => BprTraining.RunAsync(request, services, ProgressAdapter.FromTraining(progress), cancellationToken),
                    cancellationToken);
            }
            catch (InvalidDataException ex)
            {
                throw new CommandAction.InvalidInputException($"cannot train: {ex.Message}");
            }

            if (ui.Json)
            {
                ui.WriteJson(result);
            }
            else
            {
                ui.Out.Write(HistoryTable(result));
                ui.Out.Write(ComparisonTable(result));
                ui.Note($"[grey]{Markup.Escape(result.StopReason)} · model in {Markup.Escape(result.ModelDir)}" +
                    (result.RunId is null ? "" : $" · run {Markup.Escape(result.RunId)}") +
                    (result.ModelVersion is not { } version ? "" : $" · registered {Markup.Escape(version.Name)} version {Markup.Escape(version.Version)} ({Markup.Escape(string.Join(", ", version.Aliases))})") + "[/]");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    internal static Table HistoryTable(BprTrainingResult result)
    {
        var table = new Table().Title($"BPR training · {result.Backend} on {result.Device} · {result.TripletsPerEpoch:N0} triplets per epoch")
            .AddColumn("epoch").AddColumn(new TableColumn("loss").RightAligned()).AddColumn(new TableColumn("val MRR").RightAligned())
            .AddColumn(new TableColumn("Hit@1").RightAligned()).AddColumn(new TableColumn("Hit@5").RightAligned())
            .AddColumn(new TableColumn("Hit@10").RightAligned()).AddColumn(new TableColumn("trip/s").RightAligned())
            .AddColumn(new TableColumn("train").RightAligned()).AddColumn(new TableColumn("eval").RightAligned());
        foreach (var h in result.History)
        {
            var best = h.Step == result.BestStep ? " [green]★[/]" : "";
            table.AddRow(
                F($"{h.EpochFraction:0.##}") + best,
                F($"{h.TrainLoss:F4}"),
                F($"{h.Val.Mrr:F4}"),
                F($"{h.Val.HitAt1:F3}"),
                F($"{h.Val.HitAt5:F3}"),
                F($"{h.Val.HitAt10:F3}"),
                Rate(h.TripletsPerSecond),
                F($"{h.TrainSeconds:F1}s"),
                F($"{h.EvalSeconds:F1}s"));
        }

        return table.Caption($"★ = the saved model (best val MRR){(result.ResumedFromEpoch > 0 ? $" · resumed after epoch {result.ResumedFromEpoch}" : "")}");
    }

    internal static Table ComparisonTable(BprTrainingResult result)
    {
        var table = new Table().Title("Model vs popularity baseline")
            .AddColumn("split").AddColumn("scorer").AddColumn(new TableColumn("MRR").RightAligned())
            .AddColumn(new TableColumn("Hit@1").RightAligned()).AddColumn(new TableColumn("Hit@5").RightAligned())
            .AddColumn(new TableColumn("Hit@10").RightAligned()).AddColumn(new TableColumn("rows").RightAligned());
        void Row(string split, string scorer, RankingScores s) => table.AddRow(
            split, scorer, F($"{s.Mrr:F4}"), F($"{s.HitAt1:F3}"), F($"{s.HitAt5:F3}"), F($"{s.HitAt10:F3}"), F($"{s.Count:N0}"));
        Row("val", "BPR", result.BestVal);
        Row("val", "popularity", result.PopularityVal);
        Row("test", "BPR", result.Test);
        Row("test", "popularity", result.PopularityTest);
        return table.Caption("1 positive ranked among 50 negatives; ties count against the scorer");
    }

    private static string Rate(double perSecond) => perSecond >= 1e6
        ? F($"{perSecond / 1e6:F2}M")
        : F($"{perSecond / 1e3:F0}k");

    private static string F(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
