using System.CommandLine;
using Spectre.Console;
using SpotifyBuddies.Cli.Output;
using SpotifyBuddies.Core.Pairing;
using SpotifyBuddies.Models.Pairing;

namespace SpotifyBuddies.Cli.Commands;

/// <summary><c>buddies pair</c>: prepared dataset → taste neighbours (KNN over song libraries) and candidate pools.</summary>
internal static class PairCommand
{
    public static Command Create()
    {
        var defaults = new PairingParameters();
        var dataset = new Argument<DirectoryInfo>("dataset")
        {
            Description = "A prepared dataset directory (from 'buddies data prepare').",
        };
        var outDir = new Option<DirectoryInfo>("--out", "-o")
        {
            Description = "Directory to create: neighbours.parquet, pools.parquet, no_pool_users.parquet, stats and plots, manifest.json.",
            Required = true,
        };
        var engine = new Option<string>("--engine")
        {
            Description = "Neighbour search: exact (sparse inverted index, parallel) or approximate (ANN index).",
            DefaultValueFactory = _ => NeighbourSearchEngines.Exact,
        };
        engine.AcceptOnlyFromAmong([.. NeighbourSearchEngines.Names]);
        var engineOptions = new Option<string[]>("--engine-option")
        {
            Description = "An engine-specific setting as name=value (repeatable); the exact engine takes none.",
        };
        var k = new Option<int>("--k")
        {
            Description = "Candidates per user: the K most similar users by cosine of their song libraries.",
            DefaultValueFactory = _ => defaults.K,
        };
        var minNeighbours = new Option<int>("--min-neighbours")
        {
            Description = "Stop walking the candidates once this many neighbours (owners of a playlist) are kept…",
            DefaultValueFactory = _ => defaults.MinNeighbours,
        };
        var minPlaylists = new Option<int>("--min-playlists")
        {
            Description = "…and this many playlists are reachable; otherwise keep every owner among the K.",
            DefaultValueFactory = _ => defaults.MinPlaylists,
        };
        var poolSize = new Option<int>("--pool-size")
        {
            Description = "Most playlists in a user's candidate pool (a uniform sample when more are reachable).",
            DefaultValueFactory = _ => defaults.PoolSize,
        };
        var shuffle = new Option<bool>("--shuffle-candidates")
        {
            Description = "Walk the candidates in random order, as the original did, instead of most similar first.",
        };
        var seed = new Option<ulong>("--seed")
        {
            Description = "Random seed; the same dataset, options and seed give byte-identical files (whatever --threads).",
            DefaultValueFactory = _ => defaults.Seed,
        };
        var threads = new Option<int>("--threads")
        {
            Description = "Worker threads (speed only, never the content).",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var force = CommonOptions.Force();
        var json = CommonOptions.Json();

        var command = new Command(
            "pair",
            "Pair each user with taste neighbours as the original system did: the top-K users by cosine similarity of " +
            "their song libraries, walked most similar first, skipping users who own no playlist, until enough " +
            "neighbours and playlists are found; then each user's candidate pool is the playlists those neighbours own, " +
            "less the user's own and train-liked ones, sampled down to --pool-size. Users with no pool are listed (they " +
            "are served as cold users). Writes Parquet with a manifest.json and statistics (stats.md, SVG plots); " +
            "refuses an existing output unless --force, and never leaves a half-written one.")
        {
            dataset, outDir, engine, engineOptions, k, minNeighbours, minPlaylists, poolSize, shuffle, seed, threads, force, json,
        };

        CommandAction.Set(command, async (parse, cancellationToken) =>
        {
            var datasetDir = parse.GetValue(dataset)!.FullName;
            var target = parse.GetValue(outDir)!.FullName;
            var request = new PairingRequest
            {
                DatasetDir = datasetDir,
                OutputDir = target,
                Engine = parse.GetValue(engine)!,
                EngineOptions = ParseEngineOptions(parse.GetValue(engineOptions) ?? []),
                Force = parse.GetValue(force),
                MaxDegreeOfParallelism = parse.GetValue(threads),
                Parameters = defaults with
                {
                    K = parse.GetValue(k),
                    MinNeighbours = parse.GetValue(minNeighbours),
                    MinPlaylists = parse.GetValue(minPlaylists),
                    PoolSize = parse.GetValue(poolSize),
                    ShuffleCandidates = parse.GetValue(shuffle),
                    Seed = parse.GetValue(seed),
                },
            };
            CommandAction.ThrowIfInvalid(request.Validate());

            CommandAction.ThrowIfNotPreparedDataset(datasetDir);

            CommandAction.ThrowIfOutputExists(target, request.Force);

            INeighbourSearch search;
            try
            {
                search = NeighbourSearchEngines.Create(request.Engine, new NeighbourSearchSettings
                {
                    MaxDegreeOfParallelism = request.MaxDegreeOfParallelism,
                    Seed = request.Parameters.Seed,
                    Options = request.EngineOptions,
                });
            }
            catch (NeighbourSearchUnavailableException ex)
            {
                throw new CommandAction.InvalidInputException(ex.Message);
            }
            catch (ArgumentException ex)
            {
                throw new CommandAction.InvalidInputException(ex.Message);
            }

            var ui = ConsoleUi.Create(parse.GetValue(json));
            PairingResult result;
            try
            {
                result = await ui.RunAsync(
                    "pair",
                    progress => PairingPipeline.RunAsync(request, search, ProgressAdapter.FromPairing(progress), cancellationToken),
                    cancellationToken);
            }
            catch (InvalidDataException ex)
            {
                throw new CommandAction.InvalidInputException($"the dataset cannot be paired: {ex.Message}");
            }

            ui.WriteReport(result, StatsTable, result.Timings, result.Warnings);

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Dictionary<string, string> ParseEngineOptions(IEnumerable<string> values)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CommandAction.InvalidInputException($"--engine-option '{value}' is not name=value");
            }

            var name = value[..equals].Trim();
            if (!options.TryAdd(name, value[(equals + 1)..].Trim()))
            {
                throw new CommandAction.InvalidInputException($"--engine-option '{name}' is given twice");
            }
        }

        return options;
    }

    internal static Table StatsTable(PairingResult result) =>
        ReportView.Stats("KNN pairing", PairingReport.Rows(result.Stats), $"{result.OutputDir} · content {result.ContentHash[..12]} · parent {result.Parent[..12]}");

}
