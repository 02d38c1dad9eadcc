using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using SpotifyBuddies.Cli.Output;
using SpotifyBuddies.Data.Formats;
using SpotifyBuddies.Data.Inspection;
using SpotifyBuddies.Data.Preparation;
using SpotifyBuddies.Data.Synthetic;
using SpotifyBuddies.Infrastructure.Artifacts;
using SpotifyBuddies.Infrastructure.Tracking;
using SpotifyBuddies.Models.Pairing;
using SpotifyBuddies.Models.Ranking;

namespace SpotifyBuddies.Cli.Commands;

/// <summary>
/// <c>buddies quickstart</c>: the main job, end to end on generated sample data with embedded defaults and
/// no external service. Each capability joins it as it lands (data prep, pairing, training, tracking,
/// then the weekly-retrain workflow).
/// </summary>
internal static class QuickstartCommand
{
    public static Command Create()
    {
        var outDir = new Option<DirectoryInfo>("--out", "-o")
        {
            Description = "Working directory of the quickstart; it owns it and replaces its contents on each run.",
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(".buddies", "quickstart")),
        };
        var preset = new Option<string>("--preset")
        {
            Description = "Size of the generated sample data (see 'buddies data synth --help').",
            DefaultValueFactory = _ => "small",
        };
        preset.AcceptOnlyFromAmong([.. SynthOptions.PresetNames]);
        var seed = new Option<ulong>("--seed") { Description = "Random seed for every step.", DefaultValueFactory = _ => 42 };
        var json = CommonOptions.Json();

        var command = new Command(
            "quickstart",
            "Run the main job on generated sample data with embedded defaults (no services needed): generate a " +
            "synthetic MPD/ENTP/MSD dataset, read it back with the real-format readers, prepare the training dataset " +
            "(likes, splits, ownership, triplets, evaluation batches), pair every listener with taste neighbours " +
            "and a candidate pool (exact KNN), and train the BPR ranking model (native backend), compared with a popularity " +
            "baseline and recorded in the local experiment tracker.")
        {
            outDir, preset, seed, json,
        };

        CommandAction.Set(command, async (parse, cancellationToken) =>
        {
            var ui = ConsoleUi.Create(parse.GetValue(json));
            var clock = Stopwatch.StartNew();
            var work = parse.GetValue(outDir)!.FullName;
            var dataRoot = Path.Combine(work, "data");
            var options = SynthOptions.Preset(parse.GetValue(preset)!) with { Seed = parse.GetValue(seed) };

            ui.Note($"[bold]Spotify Buddies quickstart[/] [grey](preset {options.Users:N0} users, {options.Playlists:N0} playlists, seed {options.Seed}; in {Markup.Escape(work)})[/]");

            ui.Note("[bold]1/5[/] generate sample data");
            var synth = await ui.RunAsync(
                "generate",
                progress => SyntheticDataGenerator.Generate(options, dataRoot, overwrite: true, ProgressAdapter.From(progress), cancellationToken),
                cancellationToken);

            ui.Note("[bold]2/5[/] read it back with the real-format readers");
            var paths = RawDatasetPaths.Discover(dataRoot);
            var raw = await ui.RunAsync(
                "read",
                progress => RawDatasetInspector.Inspect(paths, ReadOptions.Strict, ProgressAdapter.FromInspect(progress), cancellationToken),
                cancellationToken);

            ui.Note("[bold]3/5[/] prepare the training dataset");
            var prepareRequest = new PrepareRequest
            {
                Inputs = paths,
                OutputDir = Path.Combine(work, "dataset"),
                Force = true,
                Parameters = new() { Seed = options.Seed },
            };
            var prepared = await ui.RunAsync(
                "prepare",
                progress => DataPreparation.RunAsync(prepareRequest, ProgressAdapter.FromPrepare(progress), cancellationToken),
                cancellationToken);

            ui.Note("[bold]4/5[/] pair listeners with taste neighbours and candidate pools");
            var pairingRequest = new PairingRequest
            {
                DatasetDir = prepared.OutputDir,
                OutputDir = Path.Combine(work, "pairing"),
                Force = true,
                Parameters = new() { Seed = options.Seed },
            };
            var paired = await ui.RunAsync(
                "pair",
                progress => PairingPipeline.RunAsync(pairingRequest, ProgressAdapter.FromPairing(progress), cancellationToken),
                cancellationToken);

            ui.Note("[bold]5/5[/] train the BPR ranking model (native backend, tracked locally)");
            var artifacts = new LocalDirectoryArtifactStore(Path.Combine(work, "artifacts"));
            var tracker = new LocalTracker(new LocalTrackerOptions { Root = Path.Combine(work, "tracking") }, artifacts);
            var trainingRequest = new BprTrainingRequest
            {
                DatasetDir = prepared.OutputDir,
                OutputDir = Path.Combine(work, "model"),
                Force = true,
                Backend = BprBackends.Native,
                Hyperparameters = new() { Seed = options.Seed },
                RunName = "quickstart",
            };
            var trained = await ui.RunAsync(
                "train",
                progress => BprTraining.RunAsync(
                    trainingRequest,
                    new BprTrainingServices { Checkpoints = artifacts, Tracker = tracker, Registry = tracker },
                    ProgressAdapter.FromTraining(progress),
                    cancellationToken),
                cancellationToken);

            if (ui.Json)
            {
                ui.WriteJson(new
                {
                    Synth = synth,
                    Raw = raw,
                    Prepared = new { prepared.OutputDir, prepared.ContentHash, prepared.Stats },
                    Pairing = new { paired.OutputDir, paired.ContentHash, paired.Counts },
                    Training = trained,
                    ElapsedSeconds = clock.Elapsed.TotalSeconds,
                });
            }
            else
            {
                ui.Out.Write(SummaryView.Synth(synth));
                ui.Out.Write(SummaryView.Raw(raw));
                ui.Out.Write(DataPrepareCommand.StatsTable(prepared));
                ui.Out.Write(PairCommand.StatsTable(paired));
                ui.Out.Write(TrainCommand.HistoryTable(trained));
                ui.Out.Write(TrainCommand.ComparisonTable(trained));
                if (trained.ModelVersion is { } version)
                {
                    ui.Out.MarkupLine($"model [bold]{Markup.Escape(version.Name)}[/] version {Markup.Escape(version.Version)} registered as " +
                        $"[bold]{Markup.Escape(string.Join(", ", version.Aliases))}[/] · run {Markup.Escape(trained.RunId ?? "")} · 'buddies runs list --tracking {Markup.Escape(Path.Combine(work, "tracking"))}'");
                }

                ui.Out.MarkupLine($"[green]quickstart finished in {clock.Elapsed.TotalSeconds:F1} s[/]");
                ui.Out.MarkupLine($"[grey]next: open {Markup.Escape(Path.Combine(prepared.OutputDir, "stats.md"))} and the SVG plots beside it   ·   buddies --help[/]");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
