using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Core.Preparation;
using SpotifyBuddies.Core.Randomness;
using SpotifyBuddies.Data.Datasets;
using SpotifyBuddies.Data.Inspection;
using SpotifyBuddies.Data.Reports;

namespace SpotifyBuddies.Data.Preparation;

/// <summary>
/// The data preparation pipeline of original-system.md §1, re-created as one streaming, parallel run:
/// MPD/ENTP/MSD → song keys → sparse overlap m(u, p) → like scores → liked playlists → (optional user
/// sampling, dropping playlists liked by nobody, dense re-indexing) → cold users and 70/20/10 splits →
/// ownership → negative pools and triplets → validation and test batches → Parquet dataset with
/// <c>manifest.json</c> and a statistics report.
/// </summary>
/// <remarks>
/// <para><b>Determinism.</b> Every random decision draws from a stream forked from the seed by purpose and,
/// where per user, by user index (<c>exploration/sourceUser</c>, <c>sample-users</c>, <c>cold-users</c>,
/// <c>split/u</c>, <c>triplets/u</c>, <c>triplet-buckets/u</c>, <c>triplet-shuffle/bucket</c>,
/// <c>val-batches/u</c>, <c>test-batches/u</c>), and outputs are written in index order; so the same inputs and
/// parameters give byte-identical files whatever the thread count or block size.</para>
/// <para><b>Ties.</b> The like order is score descending, then playlist index ascending (the MPD file order);
/// liked = its first max(1, ⌈0.015·n⌉). Hard negatives are the first <see cref="TripletSampler.HardCount"/> of the
/// pool in the same order.</para>
/// <para><b>Memory.</b> Inputs are held as int CSR arrays; overlaps are computed one user at a time into a
/// per-thread accumulator and never stored (the negatives phase recomputes them); triplets and evaluation rows
/// are streamed to disk by waves of blocks. What remains is proportional to the inputs and the likes.</para>
/// <para><b>Atomicity.</b> Files are written into a hidden temporary sibling of the output directory and renamed
/// into place at the end (<see cref="DatasetStaging"/>); the manifest is written last.</para>
/// </remarks>
public static class DataPreparation
{
    public const string IndexPhase = "index songs";
    public const string SplitPhase = "splits & ownership";
    public const string WritePhase = "write tables";
    public const string ReportPhase = "report & manifest";

    /// <summary>Runs the pipeline. CPU-bound: call it from a worker thread.</summary>
    /// <exception cref="ArgumentException">The request is invalid; the message lists every problem.</exception>
    /// <exception cref="DatasetExistsException">The output exists and <see cref="PrepareRequest.Force"/> is false.</exception>
    /// <exception cref="InvalidDatasetException">The inputs cannot make a dataset (no shared songs, no users, …); with counts.</exception>
    /// <exception cref="Formats.DataFormatException">A malformed record, unless <see cref="Formats.ReadOptions.SkipBad"/>.</exception>
    public static async Task<PrepareResult> RunAsync(
        PrepareRequest request,
        IProgress<PreparePhaseProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var problems = request.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid preparation request: " + string.Join(" ", problems), nameof(request));
        }

        using var staging = DatasetStaging.Begin(request.OutputDir, request.Force);
        var result = await new Run(request, staging.Directory, progress, cancellationToken).ExecuteAsync();
        cancellationToken.ThrowIfCancellationRequested();
        staging.Commit();
        return result with
        {
            OutputDir = staging.Target,
            ManifestPath = Path.Combine(staging.Target, DatasetManifest.FileName),
        };
    }

    private sealed class Run(PrepareRequest request, string directory, IProgress<PreparePhaseProgress>? progress, CancellationToken cancellationToken)
    {
        private readonly PreparationParameters _parameters = request.Parameters;
        private readonly DeterministicRandom _root = new(request.Parameters.Seed);
        private readonly List<PhaseTiming> _timings = [];
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _phaseStart;

        public async Task<PrepareResult> ExecuteAsync()
        {
            var inputs = RawInputLoader.Load(
                request.Inputs, request.ReadOptions, request.MaxDegreeOfParallelism, request.EntpChunkBytes, progress, cancellationToken);
            EndPhase(RawInputLoader.Phase);
            CheckInputs(inputs);

            Report(IndexPhase, 0, 2);
            var postings = inputs.PlaylistSongs.Transpose(inputs.SongKeys.Length);
            var scoreTables = new ScoreTables(inputs.PlaylistSongs);
            var eligible = UsersWithOverlap(inputs, postings);
            var selected = SampleUsers(eligible);
            Report(IndexPhase, 2, 2);
            EndPhase(IndexPhase);

            var likes = LikesPhase.Run(
                selected, inputs, postings, scoreTables, _parameters, _root, request.BlockSize, request.MaxDegreeOfParallelism, progress, cancellationToken);
            EndPhase(LikesPhase.Phase);

            Report(SplitPhase, 0, 3);
            var state = Reindex(inputs, selected, likes);
            Report(SplitPhase, 1, 3);
            Split(state);
            Report(SplitPhase, 2, 3);
            var candidates = AssignOwners(state);
            Report(SplitPhase, 3, 3);
            EndPhase(SplitPhase);

            // The tables known by now are written in the background while the negatives phase computes.
            using var stopTables = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var tablesTask = PreparedTables.WriteAsync(state, inputs, directory, stopTables.Token);
            NegativesResult negatives;
            int buckets;
            long tripletRows;
            try
            {
                long maxTriplets = 0;
                foreach (var split in state.Splits)
                {
                    maxTriplets += (split?.Train.Length ?? 0) * (long)_parameters.NegativesPerPositive;
                }

                buckets = TripletShuffle.BucketCountFor(maxTriplets);
                await using (var streamed = await StreamedOutputs.CreateAsync(
                    directory, _parameters.EvaluationNegatives, buckets, TripletShuffle.FitsInMemory(maxTriplets), cancellationToken))
                {
                    negatives = await NegativesPhase.RunAsync(
                        state, inputs, _parameters, _root, buckets, streamed.WriteBlocksAsync,
                        request.BlockSize, request.MaxDegreeOfParallelism, progress, cancellationToken);
                    await streamed.CompleteAsync(cancellationToken);
                    EndPhase(NegativesPhase.Phase);

                    tripletRows = streamed.TripletRows;
                    streamed.Shuffle.ShuffleInto(
                        Path.Combine(directory, PreparedDatasetLayout.TripletsRaw), _root, request.MaxDegreeOfParallelism, progress, cancellationToken);
                    EndPhase(TripletShuffle.Phase);
                }
            }
            catch
            {
                // Stop the table writers and wait for them (the staging directory is deleted next); the first error wins.
                await stopTables.CancelAsync();
                await ((Task)tablesTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
                throw;
            }

            // Only what is left of the background table writing is timed here.
            Report(WritePhase, 0, 1);
            var tables = await tablesTask;
            Report(WritePhase, 1, 1);
            EndPhase(WritePhase);

            Report(ReportPhase, 0, 3);
            var stats = Statistics(inputs, eligible.Length, selected.Length, likes, state, candidates, negatives, buckets);
            var warnings = Warnings(inputs, stats);
            var reportFiles = await WriteReportsAsync(stats, state, negatives);
            Report(ReportPhase, 1, 3);

            var files = DescribeFiles(tables, tripletRows, negatives, reportFiles);
            Report(ReportPhase, 2, 3);
            EndPhase(ReportPhase);
            _timings.Add(new PhaseTiming("total", _clock.Elapsed.TotalSeconds));

            var counts = Counts(stats, state);
            var manifest = new DatasetManifest
            {
                SchemaVersion = DatasetManifest.CurrentSchemaVersion,
                Kind = PreparedDatasetLayout.Kind,
                CreatedAt = DateTimeOffset.UtcNow,
                Tool = new ToolInfo("SpotifyBuddies.Data", ToolVersion()),
                Parameters = Parameters(),
                Inputs = inputs.Inputs,
                Files = files,
                Counts = counts,
                Warnings = warnings,
                ContentHash = DatasetManifest.ComputeContentHash(files),
                Execution = Execution(),
            };
            await manifest.WriteAsync(Path.Combine(directory, DatasetManifest.FileName), cancellationToken);
            Report(ReportPhase, 3, 3);

            return new PrepareResult
            {
                OutputDir = directory,
                ManifestPath = Path.Combine(directory, DatasetManifest.FileName),
                ContentHash = manifest.ContentHash,
                Counts = counts,
                Stats = stats,
                Warnings = warnings,
                Timings = _timings,
            };
        }

        private static void CheckInputs(LoadedInputs inputs)
        {
            var s = inputs.Stats;
            var problems = new List<string>();
            if (s.MpdPlaylists == 0)
            {
                problems.Add(Invariant($"the MPD input holds no playlists ({s.MpdSlices} slice file(s) read)"));
            }

            if (inputs.UserIds.Length == 0)
            {
                problems.Add(Invariant(
                    $"no ENTP user has a song with MSD metadata: {s.EntpRows} triplet rows from {s.EntpUsers} users, {s.EntpRowsUnknownSongId} with a song id missing from the MSD file ({s.MsdSongIds} song ids), {s.EntpRowsBlankTitleOrArtist} with a blank title or artist"));
            }

            if (problems.Count == 0 && s.SharedSongKeys == 0)
            {
                problems.Add(Invariant(
                    $"the ENTP libraries and the MPD playlists share no song key (lower(trim(title))@@lower(trim(artist))): ENTP has {s.EntpSongKeys} keys over {inputs.UserIds.Length} users, MPD has {s.MpdSongKeys} keys over {s.MpdPlaylists} playlists; check that the MSD metadata belongs to these ENTP song ids and that the MPD tracks carry titles and artists"));
            }

            if (problems.Count > 0)
            {
                throw new InvalidDatasetException(problems);
            }
        }

        // Users sharing at least one song with some playlist: exactly those with at least one like.
        private static int[] UsersWithOverlap(LoadedInputs inputs, SparseRows postings)
        {
            var users = new IntBuffer(inputs.UserIds.Length);
            for (var u = 0; u < inputs.UserIds.Length; u++)
            {
                foreach (var song in inputs.UserSongs[u])
                {
                    if (postings.Length(song) > 0)
                    {
                        users.Add(u);
                        break;
                    }
                }
            }

            return users.Detach();
        }

        // floor(SampleUsers·n) (at least 1) users, uniformly without replacement (stream "sample-users"), ascending.
        private int[] SampleUsers(int[] eligible)
        {
            if (_parameters.SampleUsers >= 1 || eligible.Length == 0)
            {
                return eligible;
            }

            var keep = Math.Clamp((int)Math.Floor((_parameters.SampleUsers * eligible.Length) + 1e-9), 1, eligible.Length);
            var shuffled = eligible.ToArray();
            _root.Fork("sample-users").Shuffle<int>(shuffled);
            var selected = shuffled[..keep];
            Array.Sort(selected);
            return selected;
        }

        // Keeps the selected users (all have likes) and the playlists they like; both re-indexed densely in order.
        private static PreparedState Reindex(LoadedInputs inputs, int[] selected, LikesResult likes)
        {
            var playlistMap = new int[inputs.PlaylistSongs.RowCount];
            foreach (var liked in likes.Liked)
            {
                if (liked.Length == 0)
                {
                    throw new InvalidOperationException("A selected user has no like although they share a song with a playlist.");
                }

                foreach (var like in liked)
                {
                    playlistMap[like.Playlist.Value] = 1;
                }
            }

            var kept = new IntBuffer(1 << 12);
            for (var p = 0; p < playlistMap.Length; p++)
            {
                if (playlistMap[p] == 1)
                {
                    playlistMap[p] = kept.Count;
                    kept.Add(p);
                }
                else
                {
                    playlistMap[p] = -1;
                }
            }

            var playlistSource = kept.Detach();
            foreach (var liked in likes.Liked)
            {
                for (var i = 0; i < liked.Length; i++)
                {
                    liked[i] = liked[i] with { Playlist = new PlaylistIdx(playlistMap[liked[i].Playlist.Value]) };
                }
            }

            var playlistSongs = inputs.PlaylistSongs.Select(playlistSource, []);
            var songUsed = new bool[inputs.SongKeys.Length];
            var userSongCount = new int[selected.Length];
            for (var u = 0; u < selected.Length; u++)
            {
                var songs = inputs.UserSongs[selected[u]];
                userSongCount[u] = songs.Length;
                foreach (var song in songs)
                {
                    songUsed[song] = true;
                }
            }

            foreach (var song in playlistSongs.Values)
            {
                songUsed[song] = true;
            }

            var songMap = new int[songUsed.Length];
            var songSource = new IntBuffer(1 << 12);
            for (var song = 0; song < songUsed.Length; song++)
            {
                songMap[song] = songUsed[song] ? songSource.Count : -1;
                if (songUsed[song])
                {
                    songSource.Add(song);
                }
            }

            return new PreparedState
            {
                UserCount = selected.Length,
                PlaylistCount = playlistSource.Length,
                UserSource = selected,
                PlaylistSource = playlistSource,
                SongMap = songMap,
                SongSource = songSource.Detach(),
                Liked = likes.Liked,
                Exploration = likes.Exploration,
                UserSongCount = userSongCount,
                PlaylistSongs = playlistSongs,
            };
        }

        // Cold users (stream "cold-users"), then each warm user's positives (ascending) split with stream split/u.
        private void Split(PreparedState state)
        {
            var users = new UserIdx[state.UserCount];
            for (var u = 0; u < users.Length; u++)
            {
                users[u] = new UserIdx(u);
            }

            state.ColdUsers = UserSplitter.SelectColdUsers(users, _parameters.ColdUserFraction, _root.Fork("cold-users"));
            state.IsCold = new bool[state.UserCount];
            foreach (var cold in state.ColdUsers)
            {
                state.IsCold[cold.Value] = true;
            }

            state.Splits = new PositiveSplit?[state.UserCount];
            var splitRoot = _root.Fork("split");
            var blockSize = request.BlockSize;
            Parallelism.Run(() => Parallel.For(
                0,
                (state.UserCount + blockSize - 1) / blockSize,
                new ParallelOptions { MaxDegreeOfParallelism = request.MaxDegreeOfParallelism, CancellationToken = cancellationToken },
                block =>
                {
                    var end = Math.Min(state.UserCount, (block + 1) * blockSize);
                    for (var u = block * blockSize; u < end; u++)
                    {
                        if (state.IsCold[u])
                        {
                            continue;
                        }

                        var liked = state.Liked[u];
                        var positives = new PlaylistIdx[liked.Length];
                        for (var i = 0; i < liked.Length; i++)
                        {
                            positives[i] = liked[i].Playlist;
                        }

                        MemoryMarshal.Cast<PlaylistIdx, int>(positives.AsSpan()).Sort();
                        state.Splits[u] = UserSplitter.SplitPositives(positives, _parameters, splitRoot.Fork((ulong)u));
                    }
                }));
        }

        // Candidates: every like except the user's own validation positives (cold users included), priority score/√s.
        private long AssignOwners(PreparedState state)
        {
            var validation = new bool[state.PlaylistCount];
            long total = 0;
            for (var u = 0; u < state.UserCount; u++)
            {
                total += state.Liked[u].Length - (state.Splits[u]?.Validation.Length ?? 0);
            }

            var candidates = new OwnershipCandidate[total];
            var n = 0;
            for (var u = 0; u < state.UserCount; u++)
            {
                var held = state.Splits[u]?.Validation ?? [];
                foreach (var playlist in held)
                {
                    validation[playlist.Value] = true;
                }

                foreach (var like in state.Liked[u])
                {
                    if (!validation[like.Playlist.Value])
                    {
                        candidates[n++] = new OwnershipCandidate(
                            new UserIdx(u), like.Playlist, OwnershipAssigner.Priority(like.Score, state.UserSongCount[u]));
                    }
                }

                foreach (var playlist in held)
                {
                    validation[playlist.Value] = false;
                }
            }

            var ownership = OwnershipAssigner.Assign(state.PlaylistCount, candidates.AsSpan(0, n), _parameters.OwnershipCap);
            state.Ownership = ownership;

            var offsets = new int[state.UserCount + 1];
            foreach (var owner in ownership.OwnerByPlaylist)
            {
                if (owner >= 0)
                {
                    offsets[owner + 1]++;
                }
            }

            for (var u = 0; u < state.UserCount; u++)
            {
                offsets[u + 1] += offsets[u];
            }

            var cursor = offsets.AsSpan(0, state.UserCount).ToArray();
            var owned = new int[offsets[^1]];
            for (var p = 0; p < ownership.OwnerByPlaylist.Length; p++)
            {
                var owner = ownership.OwnerByPlaylist[p];
                if (owner >= 0)
                {
                    owned[cursor[owner]++] = p;
                }
            }

            state.Owned = new SparseRows(offsets, owned);
            return n;
        }

        private PreparationStats Statistics(
            LoadedInputs inputs,
            int usersWithOverlap,
            int usersScored,
            LikesResult likes,
            PreparedState state,
            long candidates,
            NegativesResult negatives,
            int buckets)
        {
            long pairs = 0;
            double scoreSum = 0;
            var scoreMin = double.PositiveInfinity;
            var scoreMax = double.NegativeInfinity;
            var likesPerUser = new int[usersScored];
            for (var u = 0; u < usersScored; u++)
            {
                pairs += likes.Overlapping[u];
                scoreSum += likes.ScoreSum[u];
                scoreMin = Math.Min(scoreMin, likes.ScoreMin[u]);
                scoreMax = Math.Max(scoreMax, likes.ScoreMax[u]);
                likesPerUser[u] = likes.Liked[u].Length;
            }

            long train = 0, validation = 0, test = 0, allTrain = 0, coldLikes = 0;
            for (var u = 0; u < state.UserCount; u++)
            {
                if (state.Splits[u] is { } split)
                {
                    train += split.Train.Length;
                    validation += split.Validation.Length;
                    test += split.Test.Length;
                    allTrain += split.Validation.Length == 0 && split.Test.Length == 0 ? 1 : 0;
                }
                else
                {
                    coldLikes += state.Liked[u].Length;
                }
            }

            var ownership = state.Ownership!;
            var ownedPerOwner = OwnedPerOwner(state);
            var ownedPlaylists = ownedPerOwner.Sum(c => (long)c);

            var withTriplets = new IntBuffer(state.UserCount);
            var pools = new IntBuffer(state.UserCount);
            var hards = new IntBuffer(state.UserCount);
            var outcomes = new long[4];
            long validationUsers = 0, testUsers = 0;
            for (var u = 0; u < state.UserCount; u++)
            {
                if (negatives.Outcome[u] < 0)
                {
                    continue;
                }

                outcomes[negatives.Outcome[u]]++;
                pools.Add(negatives.PoolSize[u]);
                hards.Add(negatives.HardSize[u]);
                if (negatives.TripletsPerUser[u] > 0)
                {
                    withTriplets.Add(negatives.TripletsPerUser[u]);
                }

                validationUsers += state.Splits[u]!.Validation.Length > 0 ? 1 : 0;
                testUsers += state.Splits[u]!.Test.Length > 0 ? 1 : 0;
            }

            return new PreparationStats
            {
                Input = inputs.Stats,
                Overlap = new OverlapStats
                {
                    UsersIndexed = inputs.UserIds.Length,
                    UsersWithOverlap = usersWithOverlap,
                    UsersWithoutOverlap = inputs.UserIds.Length - usersWithOverlap,
                    UsersScored = usersScored,
                    PairsWithOverlap = pairs,
                    OverlappingPlaylistsPerUser = DistributionSummary.Of(likes.Overlapping),
                    ScoreMin = pairs == 0 ? 0 : scoreMin,
                    ScoreMean = pairs == 0 ? 0 : scoreSum / pairs,
                    ScoreMax = pairs == 0 ? 0 : scoreMax,
                    Exploration = DistributionSummary.Of(likes.Exploration),
                    Likes = likesPerUser.Sum(c => (long)c),
                    LikesPerUser = DistributionSummary.Of(likesPerUser),
                },
                Sampling = new SamplingStats
                {
                    SampleUsers = _parameters.SampleUsers,
                    UsersBefore = usersWithOverlap,
                    UsersAfter = state.UserCount,
                    PlaylistsBefore = inputs.PlaylistPids.Length,
                    PlaylistsAfter = state.PlaylistCount,
                    PlaylistsDropped = inputs.PlaylistPids.Length - state.PlaylistCount,
                    SongsBefore = inputs.SongKeys.Length,
                    SongsAfter = state.SongSource.Length,
                },
                Splits = new SplitStats
                {
                    ColdUsers = state.ColdUsers.Length,
                    ColdUserLikes = coldLikes,
                    WarmUsers = state.UserCount - state.ColdUsers.Length,
                    UsersAllTrain = allTrain,
                    TrainPositives = train,
                    ValidationPositives = validation,
                    TestPositives = test,
                },
                Ownership = new OwnershipStats
                {
                    Candidates = candidates,
                    Owners = ownership.Owners,
                    OwnerShareOfUsers = state.UserCount == 0 ? 0 : ownership.Owners / (double)state.UserCount,
                    OwnedPlaylists = ownedPlaylists,
                    UnownedPlaylists = state.PlaylistCount - ownedPlaylists,
                    UnownedAllCandidatesAtCap = ownership.UnownedWithCandidates,
                    UnownedWithoutCandidates = ownership.WithoutCandidates,
                    OwnedPerOwner = DistributionSummary.Of(ownedPerOwner),
                    Gini = Concentration.Gini(ownedPerOwner),
                    Top1PercentShare = Concentration.TopShare(ownedPerOwner, 0.01),
                    Top5PercentShare = Concentration.TopShare(ownedPerOwner, 0.05),
                    Top10PercentShare = Concentration.TopShare(ownedPerOwner, 0.10),
                    Top25PercentShare = Concentration.TopShare(ownedPerOwner, 0.25),
                },
                Triplets = new TripletStats
                {
                    Triplets = negatives.TripletsPerUser.Sum(c => (long)c),
                    UsersWithTriplets = withTriplets.Count,
                    TripletsPerUser = DistributionSummary.Of(withTriplets.Span),
                    Outcomes = new TripletOutcomeCounts(
                        outcomes[(int)TripletOutcome.Sampled],
                        outcomes[(int)TripletOutcome.NoTrainPositives],
                        outcomes[(int)TripletOutcome.NoNegativePool],
                        outcomes[(int)TripletOutcome.PoolTooSmall]),
                    NegativePoolPerUser = DistributionSummary.Of(pools.Span),
                    HardPoolPerUser = DistributionSummary.Of(hards.Span),
                    ShuffleBuckets = buckets,
                },
                Evaluation = new EvaluationStats
                {
                    Negatives = _parameters.EvaluationNegatives,
                    UniversePlaylists = negatives.UniverseSize,
                    ValidationRows = negatives.ValidationRows,
                    ValidationUsers = validationUsers,
                    TestRows = negatives.TestRows,
                    TestUsers = testUsers,
                    ShortRows = negatives.ShortRows,
                },
            };
        }

        private static int[] OwnedPerOwner(PreparedState state)
        {
            var owned = new IntBuffer(state.UserCount);
            for (var u = 0; u < state.UserCount; u++)
            {
                var count = state.Owned!.Length(u);
                if (count > 0)
                {
                    owned.Add(count);
                }
            }

            return owned.Detach();
        }

        private static List<string> Warnings(LoadedInputs inputs, PreparationStats stats)
        {
            var warnings = new List<string>();
            var i = stats.Input;
            if (i.SkippedMalformedRecords > 0)
            {
                warnings.Add(Invariant($"{i.SkippedMalformedRecords} malformed input record(s) skipped (--skip-bad); first: {(inputs.SkippedErrors.Count > 0 ? inputs.SkippedErrors[0] : "-")}"));
            }

            if (i.EntpRowsUnknownSongId > 0)
            {
                warnings.Add(Invariant($"{i.EntpRowsUnknownSongId} of {i.EntpRows} ENTP rows have a song id without MSD metadata and were dropped"));
            }

            if (i.EntpRowsBlankTitleOrArtist > 0)
            {
                warnings.Add(Invariant($"{i.EntpRowsBlankTitleOrArtist} ENTP rows have a blank MSD title or artist and were dropped"));
            }

            if (i.EntpUsersWithoutKnownSongs > 0)
            {
                warnings.Add(Invariant($"{i.EntpUsersWithoutKnownSongs} ENTP users have no song with metadata and were dropped"));
            }

            if (i.MpdTracksBlankTitleOrArtist > 0)
            {
                warnings.Add(Invariant($"{i.MpdTracksBlankTitleOrArtist} MPD tracks have a blank title or artist and were dropped"));
            }

            if (i.MsdConflictingDuplicates > 0)
            {
                warnings.Add(Invariant($"{i.MsdConflictingDuplicates} repeated MSD song ids have different titles/artists; the first row of each was used"));
            }

            if (stats.Overlap.UsersWithoutOverlap > 0)
            {
                warnings.Add(Invariant($"{stats.Overlap.UsersWithoutOverlap} users share no song with any playlist and were dropped (they can like nothing)"));
            }

            if (stats.Ownership.UnownedPlaylists > 0)
            {
                warnings.Add(Invariant(
                    $"{stats.Ownership.UnownedPlaylists} playlists stay unowned ({stats.Ownership.UnownedAllCandidatesAtCap} with every candidate at the cap, {stats.Ownership.UnownedWithoutCandidates} liked only as validation positives)"));
            }

            var outcomes = stats.Triplets.Outcomes;
            if (outcomes.NoNegativePool + outcomes.PoolTooSmall + outcomes.NoTrainPositives > 0)
            {
                warnings.Add(Invariant(
                    $"{outcomes.NoNegativePool + outcomes.PoolTooSmall + outcomes.NoTrainPositives} warm users got no triplets ({outcomes.NoNegativePool} without a negative pool, {outcomes.PoolTooSmall} with a pool smaller than the negatives per positive, {outcomes.NoTrainPositives} without train positives)"));
            }

            if (stats.Evaluation.ShortRows > 0)
            {
                warnings.Add(Invariant($"{stats.Evaluation.ShortRows} evaluation rows have fewer than {stats.Evaluation.Negatives} negatives (padded with -1)"));
            }

            return warnings;
        }

        private async Task<IReadOnlyList<(string Name, string Format)>> WriteReportsAsync(PreparationStats stats, PreparedState state, NegativesResult negatives)
        {
            var likesPerUser = new int[state.UserCount];
            for (var u = 0; u < state.UserCount; u++)
            {
                likesPerUser[u] = state.Liked[u].Length;
            }

            var triplets = negatives.TripletsPerUser.Where(t => t > 0).ToArray();
            var images = new (string Name, string Svg)[]
            {
                (PreparedDatasetLayout.LikesHistogram, SvgHistogram.Render("Liked playlists per user", "likes", likesPerUser)),
                (PreparedDatasetLayout.OwnershipHistogram, SvgHistogram.Render("Owned playlists per owner", "playlists owned", OwnedPerOwner(state))),
                (PreparedDatasetLayout.TripletsHistogram, SvgHistogram.Render("Training triplets per user", "triplets", triplets)),
            };

            await File.WriteAllTextAsync(Path.Combine(directory, PreparedDatasetLayout.StatsJson), PreparationReport.ToJson(stats), cancellationToken);
            await File.WriteAllTextAsync(
                Path.Combine(directory, PreparedDatasetLayout.StatsMarkdown),
                PreparationReport.ToMarkdown(stats, images.Select(i => i.Name)),
                cancellationToken);
            foreach (var (name, svg) in images)
            {
                await File.WriteAllTextAsync(Path.Combine(directory, name), svg, cancellationToken);
            }

            return
            [
                (PreparedDatasetLayout.StatsJson, "json"),
                (PreparedDatasetLayout.StatsMarkdown, "markdown"),
                .. images.Select(i => (i.Name, "svg")),
            ];
        }

        private List<DatasetFile> DescribeFiles(
            IReadOnlyList<WrittenTable> tables,
            long tripletRows,
            NegativesResult negatives,
            IReadOnlyList<(string Name, string Format)> reports)
        {
            var width = _parameters.EvaluationNegatives;
            var evaluationColumns = PreparedDatasetLayout.EvaluationColumns(width);
            var entries = new List<(string Name, string Format, long? Rows, IReadOnlyList<long>? Shape, IReadOnlyList<ColumnSchema>? Columns, string? Description)>();
            entries.AddRange(tables.Select(t => (t.Name, "parquet", (long?)t.Rows, (IReadOnlyList<long>?)null, (IReadOnlyList<ColumnSchema>?)t.Columns, (string?)t.Description)));
            entries.Add((PreparedDatasetLayout.Triplets, "parquet", tripletRows, null, PreparedDatasetLayout.TripletColumns,
                "BPR training triplets in user order"));
            entries.Add((PreparedDatasetLayout.TripletsRaw, "int32-le", tripletRows, [tripletRows, 3], PreparedDatasetLayout.TripletColumns,
                "the same triplets, uniformly shuffled (two-pass bucket shuffle), raw row-major little-endian int32 for memory-mapping"));
            entries.Add((PreparedDatasetLayout.ValidationBatches, "parquet", negatives.ValidationRows, null, evaluationColumns,
                "one row per validation positive with its negatives"));
            entries.Add((PreparedDatasetLayout.ValidationBatchesRaw, "int32-le", negatives.ValidationRows, [negatives.ValidationRows, width + 2], evaluationColumns,
                "the validation rows as raw row-major little-endian int32"));
            entries.Add((PreparedDatasetLayout.TestBatches, "parquet", negatives.TestRows, null, evaluationColumns,
                "one row per test positive with its negatives (final evaluation)"));
            entries.Add((PreparedDatasetLayout.TestBatchesRaw, "int32-le", negatives.TestRows, [negatives.TestRows, width + 2], evaluationColumns,
                "the test rows as raw row-major little-endian int32"));
            entries.AddRange(reports.Select(r => (r.Name, r.Format, (long?)null, (IReadOnlyList<long>?)null, (IReadOnlyList<ColumnSchema>?)null, (string?)"statistics report")));

            // Largest files first, each worker taking the next one: the wall time is about max(largest, total / workers).
            var hashes = new string[entries.Count];
            var bySize = Enumerable.Range(0, entries.Count)
                .OrderByDescending(i => new FileInfo(Path.Combine(directory, entries[i].Name)).Length)
                .ThenBy(i => i)
                .ToArray();
            var next = -1;
            Parallelism.Run(() => Parallel.For(
                0,
                Math.Clamp(request.MaxDegreeOfParallelism, 1, entries.Count),
                new ParallelOptions { CancellationToken = cancellationToken },
                _ =>
                {
                    int at;
                    while ((at = Interlocked.Increment(ref next)) < bySize.Length)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var i = bySize[at];
                        hashes[i] = FileHashing.Sha256OfFile(Path.Combine(directory, entries[i].Name));
                    }
                }));

            return
            [
                .. entries.Select((e, i) => new DatasetFile
                {
                    Name = e.Name,
                    Format = e.Format,
                    Bytes = new FileInfo(Path.Combine(directory, e.Name)).Length,
                    Sha256 = hashes[i],
                    Rows = e.Rows,
                    Shape = e.Shape,
                    Columns = e.Columns?.Select(c => new DatasetColumn(c.Name, c.TypeName, c.Description)).ToList(),
                    Description = e.Description,
                }).OrderBy(f => f.Name, StringComparer.Ordinal),
            ];
        }

        private static SortedDictionary<string, long> Counts(PreparationStats stats, PreparedState state) => new(StringComparer.Ordinal)
        {
            ["users"] = state.UserCount,
            ["playlists"] = state.PlaylistCount,
            ["songs"] = state.SongSource.Length,
            ["likes"] = stats.Overlap.Likes,
            ["cold_users"] = stats.Splits.ColdUsers,
            ["train_positives"] = stats.Splits.TrainPositives,
            ["validation_positives"] = stats.Splits.ValidationPositives,
            ["test_positives"] = stats.Splits.TestPositives,
            ["owners"] = stats.Ownership.Owners,
            ["owned_playlists"] = stats.Ownership.OwnedPlaylists,
            ["unowned_playlists"] = stats.Ownership.UnownedPlaylists,
            ["triplets"] = stats.Triplets.Triplets,
            ["validation_rows"] = stats.Evaluation.ValidationRows,
            ["test_rows"] = stats.Evaluation.TestRows,
        };

        private JsonObject Parameters() =>
            JsonSerializer.SerializeToNode(_parameters, PreparationJsonContext.Default.PreparationParameters)!.AsObject();

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
                ["block_size"] = request.BlockSize,
                ["skip_bad"] = request.ReadOptions.SkipBad,
                ["seconds"] = timings,
            };
        }

        private static string ToolVersion() =>
            typeof(DataPreparation).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(DataPreparation).Assembly.GetName().Version?.ToString()
            ?? "0.0.0";

        private void Report(string phase, long done, long total) => progress?.Report(new PreparePhaseProgress(phase, done, total));

        private void EndPhase(string phase)
        {
            var now = _clock.Elapsed;
            _timings.Add(new PhaseTiming(phase, (now - _phaseStart).TotalSeconds));
            _phaseStart = now;
            cancellationToken.ThrowIfCancellationRequested();
        }

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }
}
