using System.CommandLine;
using Spectre.Console;
using SpotifyBuddies.Cli.Output;
using SpotifyBuddies.Core.Preparation;
using SpotifyBuddies.Data.Formats;
using SpotifyBuddies.Data.Inspection;
using SpotifyBuddies.Data.Preparation;
using SpotifyBuddies.Data.Reports;

namespace SpotifyBuddies.Cli.Commands;

/// <summary><c>buddies data prepare</c>: raw inputs → prepared Parquet dataset (likes, splits, ownership, triplets, batches).</summary>
internal static class DataPrepareCommand
{
    public static Command Create()
    {
        var defaults = new PreparationParameters();
        var root = new Argument<DirectoryInfo?>("root")
        {
            Description = "Dataset root with mpd/, entp/train_triplets.txt and msd/unique_tracks.txt or msd/song_data.csv.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var mpd = new Option<FileSystemInfo?>("--mpd") { Description = "An MPD slice file or a directory of mpd.slice.*.json files (overrides the root)." };
        var triplets = new Option<FileInfo?>("--triplets") { Description = "The ENTP train_triplets.txt file (overrides the root)." };
        var msd = new Option<FileInfo?>("--msd") { Description = "The MSD unique_tracks.txt or song_data.csv file (overrides the root)." };
        var outDir = new Option<DirectoryInfo>("--out", "-o")
        {
            Description = "Dataset directory to create (Parquet files, raw int32 files, stats, manifest.json).",
            Required = true,
        };
        var seed = new Option<ulong>("--seed")
        {
            Description = "Random seed; the same inputs, options and seed give byte-identical files (whatever --threads and --block-size).",
            DefaultValueFactory = _ => defaults.Seed,
        };
        var sampleUsers = new Option<double>("--sample-users")
        {
            Description = "Fraction of users to keep, e.g. 0.1 as in the original (playlists liked by no kept user are then dropped).",
            DefaultValueFactory = _ => defaults.SampleUsers,
        };
        var likedFraction = new Option<double>("--liked-fraction")
        {
            Description = "A user likes the top max(1, ceil(f·n)) of their n overlapping playlists.",
            DefaultValueFactory = _ => defaults.LikedFraction,
        };
        var coldUsers = new Option<double>("--cold-users")
        {
            Description = "Fraction of users held out as new/cold users.",
            DefaultValueFactory = _ => defaults.ColdUserFraction,
        };
        var ownershipCap = new Option<int>("--ownership-cap")
        {
            Description = "Most playlists one user may own.",
            DefaultValueFactory = _ => defaults.OwnershipCap,
        };
        var negatives = new Option<int>("--negatives")
        {
            Description = "Training triplets per train positive.",
            DefaultValueFactory = _ => defaults.NegativesPerPositive,
        };
        var hardNegatives = new Option<int>("--hard-negatives")
        {
            Description = "How many of a positive's negatives come from the hard pool.",
            DefaultValueFactory = _ => defaults.HardNegativesPerPositive,
        };
        var evalNegatives = new Option<int>("--eval-negatives")
        {
            Description = "Negatives per validation/test row.",
            DefaultValueFactory = _ => defaults.EvaluationNegatives,
        };
        var blockSize = new Option<int>("--block-size")
        {
            Description = "Users per unit of parallel work (memory and speed only, never the content).",
            DefaultValueFactory = _ => PrepareRequest.DefaultBlockSize,
        };
        var threads = new Option<int>("--threads")
        {
            Description = "Worker threads (speed only, never the content).",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var force = CommonOptions.Force();
        var skipBad = CommonOptions.SkipBad();
        var json = CommonOptions.Json();

        var command = new Command(
            "prepare",
            "Prepare a training dataset from the raw inputs as the original system did: song keys, sparse user×playlist " +
            "overlaps, like scores and the top 1.5% liked, optional user sampling, cold users and 70/20/10 splits, " +
            "playlist ownership, hard/easy negatives and BPR triplets, validation and test batches. Writes Parquet " +
            "with a manifest.json and a statistics report (stats.md, SVG histograms); refuses an existing output " +
            "unless --force, and never leaves a half-written dataset.")
        {
            root, mpd, triplets, msd, outDir, seed, sampleUsers, likedFraction, coldUsers, ownershipCap,
            negatives, hardNegatives, evalNegatives, blockSize, threads, force, skipBad, json,
        };

        CommandAction.Set(command, async (parse, cancellationToken) =>
        {
            var target = parse.GetValue(outDir)!.FullName;
            var request = new PrepareRequest
            {
                Inputs = RawDatasetPaths.Discover(
                    parse.GetValue(root)?.FullName,
                    parse.GetValue(mpd)?.FullName,
                    parse.GetValue(triplets)?.FullName,
                    parse.GetValue(msd)?.FullName),
                OutputDir = target,
                Force = parse.GetValue(force),
                ReadOptions = new ReadOptions { SkipBad = parse.GetValue(skipBad) },
                BlockSize = parse.GetValue(blockSize),
                MaxDegreeOfParallelism = parse.GetValue(threads),
                Parameters = defaults with
                {
                    Seed = parse.GetValue(seed),
                    SampleUsers = parse.GetValue(sampleUsers),
                    LikedFraction = parse.GetValue(likedFraction),
                    ColdUserFraction = parse.GetValue(coldUsers),
                    OwnershipCap = parse.GetValue(ownershipCap),
                    NegativesPerPositive = parse.GetValue(negatives),
                    HardNegativesPerPositive = parse.GetValue(hardNegatives),
                    EvaluationNegatives = parse.GetValue(evalNegatives),
                },
            };
            CommandAction.ThrowIfInvalid(request.Validate());

            CommandAction.ThrowIfOutputExists(target, request.Force);

            var ui = ConsoleUi.Create(parse.GetValue(json));

            var result = await ui.RunAsync(
                "prepare",
                progress => DataPreparation.RunAsync(request, ProgressAdapter.FromPrepare(progress), cancellationToken),
                cancellationToken);

            ui.WriteReport(result, StatsTable, result.Timings, result.Warnings);

            return ExitCodes.Ok;
        });
        return command;
    }

    internal static Table StatsTable(PrepareResult result) =>
        ReportView.Stats("Prepared dataset", PreparationReport.Rows(result.Stats), $"{result.OutputDir} · content {result.ContentHash[..12]}");

}
