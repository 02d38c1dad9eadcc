using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Spectre.Console;
using SpotifyBuddies.Cli.Composition;
using SpotifyBuddies.Cli.Output;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Data.Synthetic;
using SpotifyBuddies.Workflows.Execution;

namespace SpotifyBuddies.Cli.Commands;

/// <summary>
/// <c>buddies quickstart</c>: the main job on generated sample data with embedded defaults and no external service:
/// the <c>sample-data</c> workflow, then <c>weekly-retrain</c> (prepare → pair → train → evaluate → register), both
/// through the workflow engine in the Local profile (SQLite run store, in-memory Hangfire, local tracker and
/// artifact store, all under <c>--out</c>).
/// </summary>
internal static class QuickstartCommand
{
    public static Command Create()
    {
        var outDir = new Option<DirectoryInfo>("--out", "-o")
        {
            Description = "Working directory of the quickstart: its run store, work directories, tracker and artifacts (kept between runs, so " +
                          "'buddies workflow runs' and 'buddies models list' show the history; delete it to start over).",
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
            "Run the main job on generated sample data with embedded defaults (no services needed): the 'sample-data' " +
            "workflow generates a synthetic MPD/ENTP/MSD dataset, then the 'weekly-retrain' workflow prepares the " +
            "training dataset, pairs listeners with taste neighbours, trains the BPR ranking model, evaluates it against " +
            "the popularity baseline and the champion, and registers it (staging; champion when there is none) — each " +
            "step a job of the workflow engine, tracked locally.")
        {
            outDir, preset, seed, json,
        };

        TrackedAction.Set(command, async (parse, cancellationToken) =>
        {
            var ui = ConsoleUi.Create(parse.GetValue(json));
            var clock = Stopwatch.StartNew();
            var work = parse.GetValue(outDir)!.FullName;
            var seedValue = parse.GetValue(seed);
            var presetName = parse.GetValue(preset)!;
            var options = SynthOptions.Preset(presetName);

            ui.Note($"[bold]Spotify Buddies quickstart[/] [grey](preset {presetName}: {options.Users:N0} users, {options.Playlists:N0} playlists, seed {seedValue}; in {Markup.Escape(work)})[/]");
            await using var host = await WorkflowHost.StartAsync(Configuration(work), WorkflowHostRole.Runner, cancellationToken: cancellationToken);

            ui.Note("[bold]1/2[/] workflow [bold]sample-data[/]: generate synthetic raw data");
            var sample = await RunAsync(host.Engine, "sample-data", new()
            {
                ["preset"] = presetName,
                ["seed"] = (long)seedValue,
            }, ui, cancellationToken);
            if (sample.Run.Status != RunStatus.Succeeded)
            {
                return Failed(ui, sample);
            }

            ui.Note("[bold]2/2[/] workflow [bold]weekly-retrain[/]: prepare → pair → train → evaluate → register");
            var retrain = await RunAsync(host.Engine, "weekly-retrain", new()
            {
                ["raw"] = RunView.From(sample).Outputs("synth")["raw"]!.GetValue<string>(),
                ["seed"] = (long)seedValue,
            }, ui, cancellationToken);
            if (retrain.Run.Status != RunStatus.Succeeded)
            {
                return Failed(ui, retrain);
            }

            var view = RunView.From(retrain);
            if (ui.Json)
            {
                ui.WriteJson(new { SampleData = RunView.From(sample), WeeklyRetrain = view, ElapsedSeconds = clock.Elapsed.TotalSeconds });
                return ExitCodes.Ok;
            }

            WorkflowCommand.WriteDetails(ui, retrain, logs: false);
            ui.Out.Write(Summary(view));
            var evaluate = view.Outputs("evaluate");
            foreach (var reason in evaluate["reasons"]?.AsArray() ?? [])
            {
                ui.Out.MarkupLine($"  [grey]gate[/] {Markup.Escape(reason?.GetValue<string>() ?? "")}");
            }

            var register = view.Outputs("register");
            ui.Out.MarkupLine(register.Count > 0
                ? $"model [bold]{Markup.Escape(register["model_name"]?.GetValue<string>() ?? "")}[/] version {Markup.Escape(register["version"]?.GetValue<string>() ?? "")} registered as " +
                  $"[bold]{Markup.Escape(string.Join(", ", register["aliases"]?.AsArray().Select(a => a?.GetValue<string>()) ?? []))}[/]"
                : "[yellow]the model did not pass the evaluation gates: not registered[/]");
            ui.Out.MarkupLine($"[green]quickstart finished in {clock.Elapsed.TotalSeconds:F1} s[/]");
            ui.Out.MarkupLine($"[grey]next: {WorkflowHost.SqlitePathVariable}={Markup.Escape(Path.Combine(work, "buddies.db"))} buddies workflow show {retrain.Run.Id} --logs   ·   " +
                $"buddies runs list --tracking {Markup.Escape(Path.Combine(work, "tracking"))}   ·   " +
                $"open {Markup.Escape(Path.Combine(view.Outputs("prepare")["dataset"]?.GetValue<string>() ?? work, "stats.md"))}[/]");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The embedded defaults, everything under <paramref name="work"/>, whatever the environment says: Local profile, SQLite, in-memory jobs.</summary>
    private static IConfiguration Configuration(string work) => BuddiesConfiguration.Build(new Dictionary<string, string?>
    {
        [BuddiesConfiguration.Profile] = nameof(ProfileKind.Local),
        [WorkflowHost.StoreKey] = "sqlite",
        [WorkflowHost.SqlitePathKey] = Path.Combine(work, "buddies.db"),
        [WorkflowHost.WorkRootKey] = Path.Combine(work, "work"),
        [BuddiesConfiguration.LocalArtifactsRoot] = Path.Combine(work, "artifacts"),
        [BuddiesConfiguration.LocalTrackingRoot] = Path.Combine(work, "tracking"),
        [BuddiesConfiguration.Experiment] = "quickstart",
    });

    private static async Task<RunDetails> RunAsync(WorkflowEngine engine, string workflow, Dictionary<string, JsonNode?> parameters, ConsoleUi ui, CancellationToken cancellationToken)
    {
        var started = await engine.StartRunAsync(
            new StartRunRequest { Workflow = workflow, Parameters = parameters, Trigger = new RunTrigger(TriggerKinds.Manual, Environment.UserName, "buddies quickstart") },
            cancellationToken);
        return await WorkflowCommand.WatchAsync(engine, started.Run.Id, ui, cancellationToken);
    }

    private static int Failed(ConsoleUi ui, RunDetails details)
    {
        if (ui.Json)
        {
            ui.WriteJson(RunView.From(details));
        }
        else
        {
            WorkflowCommand.WriteDetails(ui, details, logs: true);
        }

        return ExitCodes.Failure;
    }

    private static Table Summary(RunView view)
    {
        var prepare = view.Outputs("prepare");
        var pair = view.Outputs("pair");
        var train = view.Outputs("train");
        var evaluate = view.Outputs("evaluate");
        var table = new Table().AddColumns("", "model", "popularity", "champion");
        table.AddRow("dataset", Markup.Escape($"{Number(prepare["users"])} users · {Number(prepare["playlists"])} playlists · {Number(prepare["triplets"])} triplets"), "", "");
        table.AddRow("pairing", Markup.Escape($"{Number(pair["users_with_pool"])} users with a candidate pool"), "", "");
        table.AddRow("val MRR", Metric(train["val_mrr"]), Metric(train["popularity_val_mrr"]), "");
        table.AddRow("test MRR", Metric(evaluate["test_mrr"]), Metric(evaluate["popularity_mrr"]), Metric(evaluate["champion_mrr"]));
        table.AddRow("test Hit@10", Metric(evaluate["test_hit_at_10"]), Metric(evaluate["popularity_hit_at_10"]), Metric(evaluate["champion_hit_at_10"]));
        return table;
    }

    private static string Number(JsonNode? value) => value is null ? "-" : value.GetValue<long>().ToString("N0", CultureInfo.InvariantCulture);

    private static string Metric(JsonNode? value) => value is null ? "-" : value.GetValue<double>().ToString("F4", CultureInfo.InvariantCulture);
}
