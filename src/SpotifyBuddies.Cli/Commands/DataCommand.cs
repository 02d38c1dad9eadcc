using System.CommandLine;
using SpotifyBuddies.Cli.Output;
using SpotifyBuddies.Data.Formats;
using SpotifyBuddies.Data.Inspection;
using SpotifyBuddies.Data.Synthetic;

namespace SpotifyBuddies.Cli.Commands;

/// <summary><c>buddies data …</c>: raw inputs.</summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var data = new Command("data", "Work with the raw inputs: MPD playlist slices, ENTP listening triplets and MSD song metadata.");
        data.Add(CreateSynth());
        data.Add(CreateInspect());
        data.Add(DataPrepareCommand.Create());
        return data;
    }

    private static Command CreateSynth()
    {
        var outDir = new Option<DirectoryInfo>("--out", "-o")
        {
            Description = "Directory to write mpd/, entp/, msd/ and synth.json into.",
            Required = true,
        };
        var preset = new Option<string>("--preset")
        {
            Description = "Size preset: tiny (tests, seconds), small (quickstart), medium (benchmarks: ~100k users, 200k playlists).",
            DefaultValueFactory = _ => "small",
        };
        preset.AcceptOnlyFromAmong([.. SynthOptions.PresetNames]);
        var users = new Option<int?>("--users") { Description = "Number of ENTP users (overrides the preset)." };
        var playlists = new Option<int?>("--playlists") { Description = "Number of MPD playlists (overrides the preset)." };
        var songs = new Option<int?>("--songs") { Description = "Size of the song catalogue (overrides the preset)." };
        var genres = new Option<int?>("--genres") { Description = "Number of latent taste clusters (overrides the preset)." };
        var seed = new Option<ulong>("--seed")
        {
            Description = "Random seed; the same options and seed give byte-identical files.",
            DefaultValueFactory = _ => 42,
        };
        var force = CommonOptions.Force();
        var json = CommonOptions.Json();

        var command = new Command(
            "synth",
            "Generate a synthetic dataset in the three real input formats, with latent taste clusters shaping " +
            "both listeners and playlists, so the pipeline can run without the licensed datasets.")
        {
            outDir, preset, users, playlists, songs, genres, seed, force, json,
        };

        CommandAction.Set(command, async (parse, cancellationToken) =>
        {
            var options = SynthOptions.Preset(parse.GetValue(preset)!) with { Seed = parse.GetValue(seed) };
            options = options with
            {
                Users = parse.GetValue(users) ?? options.Users,
                Playlists = parse.GetValue(playlists) ?? options.Playlists,
                Songs = parse.GetValue(songs) ?? options.Songs,
                Genres = parse.GetValue(genres) ?? options.Genres,
            };
            CommandAction.ThrowIfInvalid(options.Validate());

            var ui = ConsoleUi.Create(parse.GetValue(json));
            var target = parse.GetValue(outDir)!.FullName;
            CommandAction.ThrowIfOutputExists(target, parse.GetValue(force));

            var result = await ui.RunAsync(
                "generate",
                progress => SyntheticDataGenerator.Generate(
                    options, target, parse.GetValue(force), ProgressAdapter.From(progress), cancellationToken),
                cancellationToken);

            if (ui.Json)
            {
                ui.WriteJson(result);
            }
            else
            {
                ui.Out.Write(SummaryView.Synth(result));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateInspect()
    {
        var root = new Argument<DirectoryInfo?>("root")
        {
            Description = "Dataset root with mpd/, entp/train_triplets.txt and msd/unique_tracks.txt or msd/song_data.csv.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var mpd = new Option<FileSystemInfo?>("--mpd") { Description = "An MPD slice file or a directory of mpd.slice.*.json files (overrides the root)." };
        var triplets = new Option<FileInfo?>("--triplets") { Description = "The ENTP train_triplets.txt file (overrides the root)." };
        var msd = new Option<FileInfo?>("--msd") { Description = "The MSD unique_tracks.txt or song_data.csv file (overrides the root)." };
        var skipBad = CommonOptions.SkipBad();
        var json = CommonOptions.Json();

        var command = new Command(
            "inspect",
            "Read the raw inputs with the streaming readers and summarise them: record counts, distributions, " +
            "and how the ENTP and MPD song universes overlap. Stops at the first malformed record with its " +
            "file, line, column and field, unless --skip-bad.")
        {
            root, mpd, triplets, msd, skipBad, json,
        };

        CommandAction.Set(command, async (parse, cancellationToken) =>
        {
            var paths = RawDatasetPaths.Discover(
                parse.GetValue(root)?.FullName,
                parse.GetValue(mpd)?.FullName,
                parse.GetValue(triplets)?.FullName,
                parse.GetValue(msd)?.FullName);
            var ui = ConsoleUi.Create(parse.GetValue(json));
            var readOptions = new ReadOptions { SkipBad = parse.GetValue(skipBad) };
            var summary = await ui.RunAsync(
                "read",
                progress => RawDatasetInspector.Inspect(paths, readOptions, ProgressAdapter.FromInspect(progress), cancellationToken),
                cancellationToken);

            if (ui.Json)
            {
                ui.WriteJson(summary);
            }
            else
            {
                ui.Out.Write(SummaryView.Raw(summary));
                SummaryView.SkippedErrors(ui.Status, summary);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
