using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using SpotifyBuddies.Data.Datasets;
using SpotifyBuddies.Data.Preparation;
using SpotifyBuddies.Data.Reports;

namespace SpotifyBuddies.Models.Pairing;

/// <summary>
/// KNN user pairing (original-system.md §2) as one run: prepared dataset → top-K taste neighbours by cosine of song
/// libraries (an <see cref="INeighbourSearch"/> engine) → neighbour selection and candidate pools (the Core rules,
/// <see cref="PairingSelector"/>) → <c>neighbours.parquet</c>, <c>pools.parquet</c>, <c>no_pool_users.parquet</c>,
/// statistics and plots, and a <c>manifest.json</c> (kind <c>pairing</c>, parent = the dataset's content hash).
/// </summary>
/// <remarks>
/// <para><b>Determinism.</b> The engine's lists are a pure function of the libraries (exact engine) and every random
/// choice is forked from the seed per user; tables are written in user order. The same dataset and parameters give
/// byte-identical files whatever the thread count.</para>
/// <para><b>Atomicity.</b> Files go to a hidden temporary sibling of the output, renamed into place at the end
/// (<see cref="DatasetStaging"/>); the manifest is written last. An existing output is refused unless forced.</para>
/// </remarks>
public static class PairingPipeline
{
    public const string LoadPhase = "load dataset";
    public const string WritePhase = "write tables";
    public const string ReportPhase = "report & manifest";

    /// <summary>Runs pairing with the engine named by <see cref="PairingRequest.Engine"/>. CPU-bound: call it from a worker thread.</summary>
    /// <exception cref="ArgumentException">The request is invalid; the message lists every problem.</exception>
    /// <exception cref="NeighbourSearchUnavailableException">The engine is not part of this build.</exception>
    /// <exception cref="DatasetExistsException">The output exists and <see cref="PairingRequest.Force"/> is false.</exception>
    /// <exception cref="FileNotFoundException">The dataset directory holds no complete prepared dataset.</exception>
    /// <exception cref="InvalidDataException">The dataset is of another kind or inconsistent.</exception>
    public static Task<PairingResult> RunAsync(
        PairingRequest request,
        IProgress<PairingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfInvalid(request);
        var engine = NeighbourSearchEngines.Create(request.Engine, new NeighbourSearchSettings
        {
            MaxDegreeOfParallelism = request.MaxDegreeOfParallelism,
            Seed = request.Parameters.Seed,
            Options = request.EngineOptions,
        });
        return RunAsync(request, engine, progress, cancellationToken);
    }

    /// <summary>Runs pairing with <paramref name="engine"/> (its <see cref="INeighbourSearch.Name"/> is recorded; <see cref="PairingRequest.Engine"/> is ignored).</summary>
    public static async Task<PairingResult> RunAsync(
        PairingRequest request,
        INeighbourSearch engine,
        IProgress<PairingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(engine);
        ThrowIfInvalid(request);

        using var staging = DatasetStaging.Begin(request.OutputDir, request.Force);
        var result = await new Run(request, engine, staging.Directory, progress, cancellationToken).ExecuteAsync();
        cancellationToken.ThrowIfCancellationRequested();
        staging.Commit();
        return result with
        {
            OutputDir = staging.Target,
            ManifestPath = Path.Combine(staging.Target, DatasetManifest.FileName),
        };
    }

    private static void ThrowIfInvalid(PairingRequest request)
    {
        var problems = request.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid pairing request: " + string.Join(" ", problems), nameof(request));
        }
    }

    private sealed class Run(
        PairingRequest request,
        INeighbourSearch engine,
        string directory,
        IProgress<PairingProgress>? progress,
        CancellationToken cancellationToken)
    {
        private readonly List<PhaseTiming> _timings = [];
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _phaseStart;

        public async Task<PairingResult> ExecuteAsync()
        {
            Report(LoadPhase, 0, 1);
            var inputs = await PairingInputs.LoadAsync(request.DatasetDir, cancellationToken);
            Report(LoadPhase, 1, 1);
            EndPhase(LoadPhase);

            var parameters = request.Parameters;
            var lists = engine.Search(inputs.Libraries, parameters.K, new SearchProgressMap(progress), cancellationToken);
            CheckLists(lists, inputs.Users, parameters.K);
            EndPhase($"{engine.Name} neighbour search");

            var outcome = PairingSelector.Run(
                lists, inputs.Owned, inputs.TrainLiked, parameters, request.MaxDegreeOfParallelism, new SearchProgressMap(progress), cancellationToken);
            EndPhase(PairingSelector.Phase);

            Report(WritePhase, 0, 3);
            var neighbourRows = await WriteNeighboursAsync(lists, outcome);
            Report(WritePhase, 1, 3);
            var poolRows = await WritePoolsAsync(outcome);
            Report(WritePhase, 2, 3);
            var noPoolRows = await WriteNoPoolUsersAsync(outcome);
            Report(WritePhase, 3, 3);
            EndPhase(WritePhase);

            Report(ReportPhase, 0, 2);
            var stats = PairingStats.Compute(
                inputs.Libraries, inputs.Owned, inputs.TrainLiked, inputs.Playlists, engine.Name, parameters, lists, outcome);
            var reports = await WriteReportsAsync(stats, lists, outcome);
            Report(ReportPhase, 1, 2);

            var files = await DescribeFilesAsync(
            [
                (PairingLayout.Neighbours, "parquet", neighbourRows, PairingLayout.NeighbourColumns,
                    "each user's top-K candidate neighbours by cosine similarity, most similar first, with the walk's selection"),
                (PairingLayout.Pools, "parquet", poolRows, PairingLayout.PoolColumns,
                    "each user's candidate pool for the ranking model, ascending"),
                (PairingLayout.NoPoolUsers, "parquet", noPoolRows, PairingLayout.NoPoolUserColumns,
                    "users with an empty pool and why (served as cold users)"),
                .. reports.Select(r => (r.Name, r.Format, (long?)null, (IReadOnlyList<ColumnSchema>?)null, "statistics report")),
            ]);
            var counts = Counts(stats, neighbourRows, poolRows);
            var warnings = Warnings(stats);
            EndPhase(ReportPhase);
            _timings.Add(new PhaseTiming("total", _clock.Elapsed.TotalSeconds));

            var manifest = new DatasetManifest
            {
                SchemaVersion = DatasetManifest.CurrentSchemaVersion,
                Kind = PairingLayout.Kind,
                CreatedAt = DateTimeOffset.UtcNow,
                Tool = new ToolInfo("SpotifyBuddies.Models", ToolVersion()),
                Parameters = Parameters(),
                Inputs = inputs.Files,
                Files = files,
                Counts = counts,
                Warnings = warnings,
                ContentHash = DatasetManifest.ComputeContentHash(files),
                Parent = inputs.Manifest.ContentHash,
                Execution = Execution(),
            };
            await manifest.WriteAsync(Path.Combine(directory, DatasetManifest.FileName), cancellationToken);
            Report(ReportPhase, 2, 2);

            return new PairingResult
            {
                OutputDir = directory,
                ManifestPath = Path.Combine(directory, DatasetManifest.FileName),
                ContentHash = manifest.ContentHash,
                Parent = inputs.Manifest.ContentHash,
                Engine = engine.Name,
                Counts = counts,
                Stats = stats,
                Warnings = warnings,
                Timings = _timings,
            };
        }

        // The engine is a plug-in: hold it to the contract before trusting its lists.
        private void CheckLists(NeighbourLists lists, int users, int k)
        {
            if (lists.Users != users || lists.K < k || lists.Counts.Length != users
                || lists.Neighbours.Length < (long)users * lists.K || lists.Similarities.Length < (long)users * lists.K)
            {
                throw new InvalidOperationException(
                    $"The {engine.Name} engine returned lists of the wrong shape ({lists.Users} users × {lists.K}; expected {users} × {k}).");
            }

            for (var u = 0; u < users; u++)
            {
                var count = lists.Counts[u];
                if (count < 0 || count > k)
                {
                    throw new InvalidOperationException($"The {engine.Name} engine returned {count} neighbours for user {u} (K = {k}).");
                }

                foreach (var neighbour in lists.Of(u))
                {
                    if ((uint)neighbour >= (uint)users || neighbour == u)
                    {
                        throw new InvalidOperationException($"The {engine.Name} engine returned neighbour {neighbour} for user {u}.");
                    }
                }
            }
        }

        private async Task<long> WriteNeighboursAsync(NeighbourLists lists, PairingOutcome outcome)
        {
            await using var writer = await ParquetTableWriter.CreateAsync(
                Path.Combine(directory, PairingLayout.Neighbours), PairingLayout.NeighbourColumns, cancellationToken: cancellationToken);
            var (user, rank, neighbour, similarity, selected) = (writer.Ints(0), writer.Ints(1), writer.Ints(2), writer.Doubles(3), writer.Ints(4));
            for (var u = 0; u < lists.Users; u++)
            {
                var candidates = lists.Of(u);
                var similarities = lists.SimilaritiesOf(u);
                var flags = outcome.SelectedOf(u, candidates.Length);
                for (var i = 0; i < candidates.Length; i++)
                {
                    user.Add(u);
                    rank.Add(i);
                    neighbour.Add(candidates[i]);
                    similarity.Add(similarities[i]);
                    selected.Add(flags[i]);
                }

                await writer.FlushIfFullAsync(cancellationToken);
            }

            await writer.CompleteAsync(cancellationToken);
            return writer.RowsWritten;
        }

        private async Task<long> WritePoolsAsync(PairingOutcome outcome)
        {
            await using var writer = await ParquetTableWriter.CreateAsync(
                Path.Combine(directory, PairingLayout.Pools), PairingLayout.PoolColumns, cancellationToken: cancellationToken);
            var (user, playlist) = (writer.Ints(0), writer.Ints(1));
            for (var u = 0; u < outcome.Users; u++)
            {
                foreach (var p in outcome.PoolOf(u))
                {
                    user.Add(u);
                    playlist.Add(p);
                }

                await writer.FlushIfFullAsync(cancellationToken);
            }

            await writer.CompleteAsync(cancellationToken);
            return writer.RowsWritten;
        }

        private async Task<long> WriteNoPoolUsersAsync(PairingOutcome outcome)
        {
            await using var writer = await ParquetTableWriter.CreateAsync(
                Path.Combine(directory, PairingLayout.NoPoolUsers), PairingLayout.NoPoolUserColumns, cancellationToken: cancellationToken);
            var (user, reason) = (writer.Ints(0), writer.Ints(1));
            for (var u = 0; u < outcome.Users; u++)
            {
                if (outcome.Reasons[u] != NoPoolReason.None)
                {
                    user.Add(u);
                    reason.Add((int)outcome.Reasons[u]);
                }
            }

            await writer.CompleteAsync(cancellationToken);
            return writer.RowsWritten;
        }

        private async Task<IReadOnlyList<(string Name, string Format)>> WriteReportsAsync(PairingStats stats, NeighbourLists lists, PairingOutcome outcome)
        {
            var chosen = Array.FindAll(PairingStats.TimesChosen(lists, outcome), t => t > 0);
            var images = new (string Name, string Svg)[]
            {
                (PairingLayout.NeighboursHistogram, SvgHistogram.Render("Neighbours kept per user", "neighbours", outcome.NeighbourCounts)),
                (PairingLayout.ChosenHistogram, SvgHistogram.Render("Times a user is chosen as a neighbour (users chosen at least once)", "times chosen", chosen)),
                (PairingLayout.ReachableHistogram, SvgHistogram.Render("Reachable playlists per user", "reachable playlists", outcome.Reachable)),
            };

            await File.WriteAllTextAsync(Path.Combine(directory, PairingLayout.StatsJson), PairingReport.ToJson(stats), cancellationToken);
            await File.WriteAllTextAsync(
                Path.Combine(directory, PairingLayout.StatsMarkdown),
                PairingReport.ToMarkdown(stats, images.Select(i => i.Name)),
                cancellationToken);
            foreach (var (name, svg) in images)
            {
                await File.WriteAllTextAsync(Path.Combine(directory, name), svg, cancellationToken);
            }

            return
            [
                (PairingLayout.StatsJson, "json"),
                (PairingLayout.StatsMarkdown, "markdown"),
                .. images.Select(i => (i.Name, "svg")),
            ];
        }

        private async Task<List<DatasetFile>> DescribeFilesAsync(
            IReadOnlyList<(string Name, string Format, long? Rows, IReadOnlyList<ColumnSchema>? Columns, string Description)> entries)
        {
            var hashes = await Task.WhenAll(entries.Select(e => Task.Run(() => FileHashing.Sha256OfFile(Path.Combine(directory, e.Name)), cancellationToken)));
            return
            [
                .. entries.Select((e, i) => new DatasetFile
                {
                    Name = e.Name,
                    Format = e.Format,
                    Bytes = new FileInfo(Path.Combine(directory, e.Name)).Length,
                    Sha256 = hashes[i],
                    Rows = e.Rows,
                    Columns = e.Columns?.Select(c => new DatasetColumn(c.Name, c.TypeName, c.Description)).ToList(),
                    Description = e.Description,
                }).OrderBy(f => f.Name, StringComparer.Ordinal),
            ];
        }

        private static SortedDictionary<string, long> Counts(PairingStats stats, long neighbourRows, long poolRows) => new(StringComparer.Ordinal)
        {
            ["users"] = stats.Input.Users,
            ["neighbour_rows"] = neighbourRows,
            ["selected_neighbours"] = stats.Selection.CandidatesWalked - stats.Selection.CandidatesSkippedAsNonOwners,
            ["users_chosen"] = stats.Popularity.UsersChosen,
            ["pool_rows"] = poolRows,
            ["users_with_pool"] = stats.Pools.UsersWithPool,
            ["no_pool_users"] = stats.Pools.UsersWithoutPool,
        };

        private static List<string> Warnings(PairingStats stats)
        {
            var warnings = new List<string>();
            if (stats.Input.UsersWithEmptyLibrary > 0)
            {
                warnings.Add(Invariant($"{stats.Input.UsersWithEmptyLibrary} users have an empty song library and so no neighbours"));
            }

            var pools = stats.Pools;
            if (pools.UsersWithoutPool > 0)
            {
                warnings.Add(Invariant(
                    $"{pools.UsersWithoutPool} users have no candidate pool and will be served as cold users ({pools.NoCandidates} without candidates, {pools.NoOwnerAmongCandidates} without an owner among them, {pools.AllExcluded} with every reachable playlist their own or train-liked)"));
            }

            if (stats.Selection.ShuffleCandidates)
            {
                warnings.Add("candidates were walked in random order (--shuffle-candidates, as the original), not by similarity");
            }

            return warnings;
        }

        private JsonObject Parameters()
        {
            var parameters = JsonSerializer.SerializeToNode(request.Parameters, PairingJsonContext.Default.PairingParameters)!.AsObject();
            parameters["engine"] = engine.Name;
            var options = new JsonObject();
            foreach (var (key, value) in request.EngineOptions.OrderBy(o => o.Key, StringComparer.Ordinal))
            {
                options[key] = value;
            }

            parameters["engine_options"] = options;
            return parameters;
        }

        private JsonObject Execution()
        {
            var timings = new JsonObject();
            foreach (var timing in _timings)
            {
                timings[timing.Phase] = Math.Round(timing.Seconds, 3);
            }

            return new JsonObject
            {
                ["max_degree_of_parallelism"] = request.MaxDegreeOfParallelism,
                ["seconds"] = timings,
            };
        }

        private static string ToolVersion() =>
            typeof(PairingPipeline).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(PairingPipeline).Assembly.GetName().Version?.ToString()
            ?? "0.0.0";

        private void Report(string phase, long done, long total) => progress?.Report(new PairingProgress(phase, done, total));

        private void EndPhase(string phase)
        {
            var now = _clock.Elapsed;
            _timings.Add(new PhaseTiming(phase, (now - _phaseStart).TotalSeconds));
            _phaseStart = now;
            cancellationToken.ThrowIfCancellationRequested();
        }

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }

    private sealed class SearchProgressMap(IProgress<PairingProgress>? target) : IProgress<SearchProgress>
    {
        public void Report(SearchProgress value) => target?.Report(new PairingProgress(value.Phase, value.Done, value.Total));
    }
}
