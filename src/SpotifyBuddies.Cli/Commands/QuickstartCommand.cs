using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using SpotifyBuddies.Cli.Output;
using SpotifyBuddies.Data.Formats;
using SpotifyBuddies.Data.Inspection;
using SpotifyBuddies.Data.Synthetic;

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
            "synthetic MPD/ENTP/MSD dataset, then read it back with the real-format readers and summarise it.")
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

            ui.Note("[bold]1/2[/] generate sample data");
            var synth = await ui.RunAsync(
                "generate",
                progress => SyntheticDataGenerator.Generate(options, dataRoot, overwrite: true, ProgressAdapter.From(progress), cancellationToken),
                cancellationToken);

            ui.Note("[bold]2/2[/] read it back with the real-format readers");
            var paths = RawDatasetPaths.Discover(dataRoot);
            var raw = await ui.RunAsync(
                "read",
                progress => RawDatasetInspector.Inspect(paths, ReadOptions.Strict, ProgressAdapter.FromInspect(progress), cancellationToken),
                cancellationToken);

            if (ui.Json)
            {
                ui.WriteJson(new { Synth = synth, Raw = raw, ElapsedSeconds = clock.Elapsed.TotalSeconds });
            }
            else
            {
                ui.Out.Write(SummaryView.Synth(synth));
                ui.Out.Write(SummaryView.Raw(raw));
                ui.Out.MarkupLine($"[green]quickstart finished in {clock.Elapsed.TotalSeconds:F1} s[/]");
                ui.Out.MarkupLine($"[grey]next: buddies data inspect {Markup.Escape(dataRoot)}   ·   buddies --help[/]");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
