using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SpotifyBuddies.Core.Artifacts;
using SpotifyBuddies.Core.ModelArtifacts;
using SpotifyBuddies.Core.Randomness;
using SpotifyBuddies.Core.Ranking;
using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Data.Datasets;
using SpotifyBuddies.Data.Preparation;

namespace SpotifyBuddies.Models.Ranking;

/// <summary>
/// BPR training (original-system.md §3) as one resumable run: prepared dataset → epochs of shuffled batches applied by
/// a backend (<see cref="IBprTrainer"/>) → evaluation on every validation row after each epoch (or more often) with
/// MRR / Hit@1/5/10 beside a popularity baseline → early stopping on val MRR → the best model evaluated on the test
/// rows and written as a model artifact directory (model.json + safetensors + id maps).
/// </summary>
/// <remarks>
/// <para><b>Batch order.</b> The triplet file is shuffled once by data prep; epoch e applies its batches in a
/// permutation drawn from <c>seed → fork("epoch/e")</c>, so the order depends only on the seed and the epoch (and a
/// resumed run replays exactly the batches an uninterrupted one would).</para>
/// <para><b>Checkpoints.</b> After every epoch the backend's full state (tables, optimizer slots and step) and the loop
/// state (epoch, best MRR, patience counter, history, run id) go to the artifact store as
/// <c>checkpoints/&lt;fingerprint&gt;/epoch-NNNN.safetensors</c>, the best model so far as <c>best.safetensors</c>; the
/// previous epoch's checkpoint is deleted once the new one is stored. The fingerprint hashes the dataset's content hash,
/// the hyperparameters and the backend, so a resume can only continue the same training. A resume restarts from the last
/// completed epoch (work inside an interrupted epoch is redone).</para>
/// <para><b>Determinism.</b> With one thread both backends are deterministic, and a resumed run equals an uninterrupted
/// one bit for bit. With more threads the native backend applies updates Hogwild (lock-free), so results vary slightly
/// between runs.</para>
/// </remarks>
public static class BprTraining
{
    public const string LoadPhase = "load dataset";
    public const string BaselinePhase = "popularity baseline";
    public const string EvaluatePhase = "evaluate";
    public const string TestPhase = "test & save";
    public const string TrainPhasePrefix = "epoch ";

    /// <summary>Trains a model. CPU-bound: call it from a worker thread.</summary>
    /// <exception cref="ArgumentException">The request is invalid; the message lists every problem.</exception>
    /// <exception cref="DatasetExistsException">The output exists and <see cref="BprTrainingRequest.Force"/> is false.</exception>
    /// <exception cref="FileNotFoundException">The dataset directory holds no complete prepared dataset.</exception>
    /// <exception cref="InvalidDataException">The dataset is of another kind or inconsistent, or a checkpoint is unreadable.</exception>
    public static async Task<BprTrainingResult> RunAsync(
        BprTrainingRequest request,
        BprTrainingServices services,
        IProgress<BprProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(services);
        var problems = request.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid training request: " + string.Join(" ", problems), nameof(request));
        }

        if (!request.Force && DatasetStaging.IsNonEmptyDirectory(request.OutputDir))
        {
            throw new DatasetExistsException(Path.GetFullPath(request.OutputDir));
        }

        var clock = Stopwatch.StartNew();
        progress?.Report(new BprProgress(LoadPhase, 0, 1));
        using var dataset = await BprDataset.OpenAsync(request.DatasetDir, cancellationToken);
        progress?.Report(new BprProgress(LoadPhase, 1, 1));
        using var trainer = services.CreateTrainer(BprBackends.Resolve(request.Backend), new BprTrainerSettings
        {
            Hyperparameters = request.Hyperparameters,
            Threads = request.Threads,
        });
        var run = new Run(request, services, dataset, trainer, progress, clock, cancellationToken);
        return await run.ExecuteAsync();
    }

    /// <summary>
    /// Identifies a training for checkpoints: SHA-256 over the dataset content hash, the backend and the
    /// hyperparameters (first 16 hex digits). Threads, evaluation frequency and the target do not change it.
    /// </summary>
    public static string Fingerprint(string datasetHash, string backend, BprHyperparameters hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        var text = string.Join('\n', datasetHash, backend, JsonSerializer.Serialize(Describe(hyperparameters)));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    /// <summary>The hyperparameters as flat name → value strings (logged as run params and in model.json).</summary>
    public static SortedDictionary<string, string> Describe(BprHyperparameters h)
    {
        ArgumentNullException.ThrowIfNull(h);
        return new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["embedding_dim"] = Invariant(h.Dimensions),
            ["learning_rate"] = Invariant(h.LearningRate),
            ["batch_size"] = Invariant(h.BatchSize),
            ["epochs"] = Invariant(h.Epochs),
            ["patience"] = Invariant(h.Patience),
            ["min_delta"] = Invariant(h.MinDelta),
            ["optimizer"] = BprOptimizers.Name(h.Optimizer),
            ["beta1"] = Invariant(h.Beta1),
            ["beta2"] = Invariant(h.Beta2),
            ["epsilon"] = Invariant(h.Epsilon),
            ["seed"] = Invariant(h.Seed),
        };
    }

    /// <summary>The batch order of an epoch (1-based): a permutation of all batches drawn from the seed's fork "epoch/e".</summary>
    public static int[] BatchOrder(ulong seed, int epoch, int batchCount)
    {
        var order = new int[batchCount];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        new DeterministicRandom(seed).Fork(string.Create(CultureInfo.InvariantCulture, $"epoch/{epoch}")).Shuffle(order.AsSpan());
        return order;
    }

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    private sealed class Run(
        BprTrainingRequest request,
        BprTrainingServices services,
        BprDataset dataset,
        IBprTrainer trainer,
        IProgress<BprProgress>? progress,
        Stopwatch clock,
        CancellationToken cancellationToken)
    {
        private readonly BprHyperparameters _h = request.Hyperparameters;
        private readonly List<PhaseTiming> _timings = [];
        private readonly string _fingerprint = Fingerprint(dataset.Manifest.ContentHash, trainer.Backend, request.Hyperparameters);
        private double _elapsedBefore;
        private TimeSpan _phaseStart;
        private BprEmbeddings? _best;
        private bool _bestUnsaved;

        private double Elapsed => _elapsedBefore + clock.Elapsed.TotalSeconds;

        public async Task<BprTrainingResult> ExecuteAsync()
        {
            EndPhase(LoadPhase);
            var (loop, resumedFrom) = await StartAsync();

            var popularityVal = BprEvaluator.Evaluate(dataset.Popularity, dataset.Validation, request.Threads, cancellationToken);
            EndPhase(BaselinePhase);

            var runId = await StartTrackingAsync(loop.RunId, resumedFrom > 0);
            loop = loop with { RunId = runId };
            try
            {
                if (!loop.Finished)
                {
                    loop = await TrainAsync(loop);
                }

                return await FinishAsync(loop, popularityVal, resumedFrom);
            }
            catch (Exception ex) when (runId is not null && services.Tracker is not null)
            {
                var status = ex is OperationCanceledException ? RunStatus.Killed : RunStatus.Failed;
                await TryAsync(() => services.Tracker.UpdateRunAsync(runId, status, DateTimeOffset.UtcNow, CancellationToken.None));
                throw;
            }
        }

        private async Task<(BprLoopState Loop, int ResumedFrom)> StartAsync()
        {
            var prefix = ArtifactKeys.Checkpoint(_fingerprint) + "/";
            var existing = new List<(int Epoch, string Key)>();
            await foreach (var info in services.Checkpoints.ListAsync(prefix, cancellationToken))
            {
                if (BprCheckpoint.EpochOf(info.Key[prefix.Length..]) is { } epoch)
                {
                    existing.Add((epoch, info.Key));
                }
            }

            if (!request.Resume || existing.Count == 0)
            {
                trainer.Load(BprState.Initialize(dataset.Users, dataset.Playlists, _h));
                return (new BprLoopState(), 0);
            }

            var (lastEpoch, key) = existing.MaxBy(e => e.Epoch);
            var local = Path.Combine(Path.GetTempPath(), $"buddies-checkpoint-{Guid.NewGuid():N}.safetensors");
            try
            {
                await services.Checkpoints.GetFileAsync(key, local, cancellationToken);
                var (state, loop) = BprCheckpoint.Read(local, _fingerprint);
                if (state.Users != dataset.Users || state.Playlists != dataset.Playlists)
                {
                    throw new InvalidDataException($"checkpoint '{key}' is for {state.Users} users × {state.Playlists} playlists; the dataset has {dataset.Users} × {dataset.Playlists}.");
                }

                trainer.Load(state);
                if (loop.BestStep > 0)
                {
                    await services.Checkpoints.GetFileAsync(ArtifactKeys.Checkpoint(_fingerprint, BprCheckpoint.BestFileName), local, cancellationToken);
                    var best = SafeTensors.Read(local);
                    _best = new BprEmbeddings(
                        dataset.Users,
                        dataset.Playlists,
                        _h.Dimensions,
                        best[ModelManifest.UserTensor].ToFloat32(),
                        best[ModelManifest.PlaylistTensor].ToFloat32());
                }

                _elapsedBefore = loop.ElapsedSeconds;
                clock.Restart();
                return (loop, lastEpoch);
            }
            finally
            {
                File.Delete(local);
            }
        }

        private async Task<BprLoopState> TrainAsync(BprLoopState loop)
        {
            var batchCount = dataset.Triplets.BatchCount(_h.BatchSize);
            var segments = Math.Min(request.EvaluationsPerEpoch, batchCount);
            for (var epoch = loop.Epoch + 1; epoch <= _h.Epochs; epoch++)
            {
                var phase = string.Create(CultureInfo.InvariantCulture, $"{TrainPhasePrefix}{epoch}/{_h.Epochs}");
                var order = BatchOrder(_h.Seed, epoch, batchCount);
                var reporter = new Progress(progress, phase, dataset.Triplets.Count);
                string? stop = null;
                for (var segment = 0; segment < segments && stop is null; segment++)
                {
                    var from = (int)((long)segment * batchCount / segments);
                    var to = (int)((long)(segment + 1) * batchCount / segments);
                    var trainClock = Stopwatch.StartNew();
                    var result = trainer.Train(dataset.Triplets, order.AsSpan(from, to - from), reporter, cancellationToken);
                    var trainSeconds = trainClock.Elapsed.TotalSeconds;

                    progress?.Report(new BprProgress(EvaluatePhase, 0, dataset.Validation.Count));
                    var evalClock = Stopwatch.StartNew();
                    var val = BprEvaluator.Evaluate(trainer.Embeddings(), dataset.Validation, request.Threads, cancellationToken);
                    progress?.Report(new BprProgress(EvaluatePhase, dataset.Validation.Count, dataset.Validation.Count));
                    var step = loop.History.Count + 1;
                    var evaluation = new BprEvaluation(
                        epoch,
                        epoch - 1 + ((double)to / batchCount),
                        step,
                        result.Triplets == 0 ? 0 : result.LossSum / result.Triplets,
                        val,
                        trainSeconds,
                        evalClock.Elapsed.TotalSeconds,
                        result.Triplets,
                        trainSeconds > 0 ? result.Triplets / trainSeconds : 0,
                        Elapsed);

                    var improved = val.Mrr > loop.BestValMrr + _h.MinDelta;
                    loop = loop with
                    {
                        History = [.. loop.History, evaluation],
                        BestValMrr = improved ? val.Mrr : loop.BestValMrr,
                        BestStep = improved ? step : loop.BestStep,
                        SinceImprovement = improved ? 0 : loop.SinceImprovement + 1,
                        ElapsedSeconds = Elapsed,
                    };
                    if (improved)
                    {
                        _best = Copy(trainer.Embeddings());
                        _bestUnsaved = true;
                    }

                    await LogEvaluationAsync(loop.RunId, evaluation);
                    if (loop.SinceImprovement >= _h.Patience)
                    {
                        stop = string.Create(CultureInfo.InvariantCulture, $"early stopping: no val MRR improvement in {_h.Patience} evaluations");
                    }
                    else if (request.TargetMrr is { } target && val.Mrr >= target)
                    {
                        stop = string.Create(CultureInfo.InvariantCulture, $"target val MRR {target} reached");
                    }
                }

                if (stop is null && epoch == _h.Epochs)
                {
                    stop = string.Create(CultureInfo.InvariantCulture, $"all {_h.Epochs} epochs done");
                }

                loop = loop with { Epoch = epoch, Finished = stop is not null, StopReason = stop, ElapsedSeconds = Elapsed };
                await CheckpointAsync(loop);
                EndPhase(phase);
                if (stop is not null)
                {
                    break;
                }
            }

            return loop;
        }

        private async Task CheckpointAsync(BprLoopState loop)
        {
            var local = Path.Combine(Path.GetTempPath(), $"buddies-checkpoint-{Guid.NewGuid():N}.safetensors");
            try
            {
                if (_best is not null && _bestUnsaved)
                {
                    BprCheckpoint.WriteEmbeddings(local, _best, new Dictionary<string, string>
                    {
                        ["fingerprint"] = _fingerprint,
                        ["step"] = loop.BestStep.ToString(CultureInfo.InvariantCulture),
                    });
                    await services.Checkpoints.PutFileAsync(ArtifactKeys.Checkpoint(_fingerprint, BprCheckpoint.BestFileName), local, cancellationToken);
                    _bestUnsaved = false;
                }

                BprCheckpoint.Write(local, trainer.Save(), loop, _fingerprint, _h.Seed);
                await services.Checkpoints.PutFileAsync(ArtifactKeys.Checkpoint(_fingerprint, BprCheckpoint.FileName(loop.Epoch)), local, cancellationToken);
                for (var older = loop.Epoch - 1; older >= Math.Max(1, loop.Epoch - 2); older--)
                {
                    await services.Checkpoints.DeleteAsync(ArtifactKeys.Checkpoint(_fingerprint, BprCheckpoint.FileName(older)), cancellationToken);
                }
            }
            finally
            {
                File.Delete(local);
            }
        }

        private async Task<BprTrainingResult> FinishAsync(BprLoopState loop, RankingScores popularityVal, int resumedFrom)
        {
            progress?.Report(new BprProgress(TestPhase, 0, 2));
            var model = _best ?? Copy(trainer.Embeddings());
            var bestVal = loop.BestStep > 0 ? loop.History.First(h => h.Step == loop.BestStep).Val : BprEvaluator.Evaluate(model, dataset.Validation, request.Threads, cancellationToken);
            var test = BprEvaluator.Evaluate(model, dataset.Test, request.Threads, cancellationToken);
            var popularityTest = BprEvaluator.Evaluate(dataset.Popularity, dataset.Test, request.Threads, cancellationToken);
            progress?.Report(new BprProgress(TestPhase, 1, 2));

            // Final metrics never reuse the per-evaluation keys (val_mrr, …), whose histories they would extend.
            var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal) { ["epochs_run"] = loop.Epoch };
            foreach (var (name, value) in bestVal.Named("best_val").Concat(test.Named("test"))
                .Concat(popularityVal.Named("popularity_val")).Concat(popularityTest.Named("popularity_test")))
            {
                metrics[name] = value;
            }

            var modelDir = await WriteModelAsync(model, metrics, loop);
            progress?.Report(new BprProgress(TestPhase, 2, 2));
            EndPhase(TestPhase);
            _timings.Add(new PhaseTiming("total", clock.Elapsed.TotalSeconds));

            ModelVersion? version = null;
            if (loop.RunId is { } runId && services.Tracker is { } tracker)
            {
                var now = DateTimeOffset.UtcNow;
                await tracker.LogBatchAsync(
                    runId,
                    [.. metrics.Select(m => new MetricPoint(m.Key, m.Value, now, loop.History.Count))],
                    cancellationToken: cancellationToken);
                await tracker.LogArtifactsAsync(runId, modelDir, "model", cancellationToken);
                version = await RegisterAsync(tracker, runId, bestVal);
                await tracker.UpdateRunAsync(runId, RunStatus.Finished, DateTimeOffset.UtcNow, cancellationToken);
            }

            return new BprTrainingResult
            {
                ModelDir = modelDir,
                Backend = trainer.Backend,
                Device = trainer.Device,
                Fingerprint = _fingerprint,
                RunId = loop.RunId,
                ModelVersion = version,
                DatasetHash = dataset.Manifest.ContentHash,
                Users = dataset.Users,
                Playlists = dataset.Playlists,
                TripletsPerEpoch = dataset.Triplets.Count,
                History = loop.History,
                Epochs = loop.Epoch,
                ResumedFromEpoch = resumedFrom,
                StopReason = loop.StopReason ?? "stopped",
                BestStep = loop.BestStep,
                BestVal = bestVal,
                Test = test,
                PopularityVal = popularityVal,
                PopularityTest = popularityTest,
                Timings = _timings,
            };
        }

        private async Task<string> WriteModelAsync(BprEmbeddings model, IReadOnlyDictionary<string, double> metrics, BprLoopState loop)
        {
            using var staging = DatasetStaging.Begin(request.OutputDir, request.Force);
            SafeTensors.Write(
                staging.PathOf("embeddings.safetensors"),
                [
                    TensorData.FromFloats(ModelManifest.UserTensor, model.UserEmbeddings.Span, model.Users, model.Dimensions),
                    TensorData.FromFloats(ModelManifest.PlaylistTensor, model.PlaylistEmbeddings.Span, model.Playlists, model.Dimensions),
                ],
                new Dictionary<string, string> { ["format"] = ModelManifest.CurrentFormat, ["dataset_hash"] = dataset.Manifest.ContentHash });
            foreach (var idMap in new[] { PreparedDatasetLayout.Users, PreparedDatasetLayout.Playlists })
            {
                File.Copy(Path.Combine(dataset.Root, idMap), staging.PathOf(idMap));
            }

            var training = new JsonObject
            {
                ["backend"] = trainer.Backend,
                ["device"] = trainer.Device,
                ["threads"] = request.Threads,
                ["fingerprint"] = _fingerprint,
                ["epochs_run"] = loop.Epoch,
                ["best_step"] = loop.BestStep,
                ["stop_reason"] = loop.StopReason,
                ["triplets_per_epoch"] = dataset.Triplets.Count,
                ["code_version"] = CodeVersion(),
                ["hyperparameters"] = new JsonObject([.. Describe(_h).Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value))]),
            };
            var manifest = new ModelManifest
            {
                Kind = "bpr",
                Name = request.ModelName,
                CreatedAt = DateTimeOffset.UtcNow,
                Users = model.Users,
                Playlists = model.Playlists,
                Dimensions = model.Dimensions,
                IdMaps = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["users"] = PreparedDatasetLayout.Users,
                    ["playlists"] = PreparedDatasetLayout.Playlists,
                },
                DatasetHash = dataset.Manifest.ContentHash,
                Training = training,
                Metrics = metrics,
                RunId = loop.RunId,
            };
            await manifest.WriteAsync(staging.PathOf(ModelManifest.FileName), cancellationToken);
            staging.Commit();
            return staging.Target;
        }

        private async Task<ModelVersion?> RegisterAsync(IExperimentTracker tracker, string runId, RankingScores bestVal)
        {
            if (services.Registry is not { } registry)
            {
                return null;
            }

            var run = await tracker.GetRunAsync(runId, cancellationToken);
            await registry.GetOrCreateModelAsync(request.ModelName, "BPR playlist ranking model (Spotify Buddies)", cancellationToken);
            var version = await registry.CreateVersionAsync(
                request.ModelName,
                run.ArtifactUri.TrimEnd('/') + "/model",
                runId,
                new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    [TrackingTags.DatasetHash] = dataset.Manifest.ContentHash,
                    [TrackingTags.Backend] = trainer.Backend,
                    ["val_mrr"] = Invariant(bestVal.Mrr),
                },
                cancellationToken);
            foreach (var alias in request.RegisterAliases)
            {
                await registry.SetAliasAsync(request.ModelName, alias, version.Version, cancellationToken);
            }

            return await registry.GetVersionAsync(request.ModelName, version.Version, cancellationToken);
        }

        private async Task<string?> StartTrackingAsync(string? previousRunId, bool resumed)
        {
            if (services.Tracker is not { } tracker)
            {
                return null;
            }

            if (resumed && previousRunId is not null)
            {
                await tracker.UpdateRunAsync(previousRunId, RunStatus.Running, null, cancellationToken);
                await tracker.LogBatchAsync(previousRunId, tags: [new("buddies.resumed", "true")], cancellationToken: cancellationToken);
                return previousRunId;
            }

            var experiment = await tracker.GetOrCreateExperimentAsync(request.ExperimentName, cancellationToken);
            var tags = new Dictionary<string, string>(request.Tags, StringComparer.Ordinal)
            {
                [TrackingTags.DatasetHash] = dataset.Manifest.ContentHash,
                [TrackingTags.CodeVersion] = CodeVersion(),
                [TrackingTags.Backend] = trainer.Backend,
                [TrackingTags.Host] = Environment.MachineName,
                [TrackingTags.Fingerprint] = _fingerprint,
                [TrackingTags.Source] = "buddies train",
                [TrackingTags.SourceType] = "LOCAL",
                ["buddies.device"] = trainer.Device,
            };
            var run = await tracker.CreateRunAsync(
                new NewRun
                {
                    ExperimentId = experiment.Id,
                    RunName = request.RunName ?? $"bpr-{_fingerprint[..8]}",
                    ParentRunId = request.ParentRunId,
                    Tags = tags,
                },
                cancellationToken);
            var parameters = Describe(_h).Select(p => new KeyValuePair<string, string>(p.Key, p.Value)).ToList();
            parameters.Add(new("backend", trainer.Backend));
            parameters.Add(new("dataset_hash", dataset.Manifest.ContentHash));
            parameters.Add(new("users", Invariant(dataset.Users)));
            parameters.Add(new("playlists", Invariant(dataset.Playlists)));
            parameters.Add(new("triplets", Invariant(dataset.Triplets.Count)));
            await tracker.LogBatchAsync(run.RunId, parameters: parameters, cancellationToken: cancellationToken);
            return run.RunId;
        }

        private async Task LogEvaluationAsync(string? runId, BprEvaluation evaluation)
        {
            if (runId is null || services.Tracker is not { } tracker)
            {
                return;
            }

            var now = DateTimeOffset.UtcNow;
            var metrics = new List<MetricPoint>
            {
                new("train_loss", evaluation.TrainLoss, now, evaluation.Step),
                new("triplets_per_second", evaluation.TripletsPerSecond, now, evaluation.Step),
            };
            metrics.AddRange(evaluation.Val.Named("val").Select(m => new MetricPoint(m.Key, m.Value, now, evaluation.Step)));
            await tracker.LogBatchAsync(runId, metrics, cancellationToken: cancellationToken);
        }

        private void EndPhase(string phase)
        {
            var now = clock.Elapsed;
            _timings.Add(new PhaseTiming(phase, (now - _phaseStart).TotalSeconds));
            _phaseStart = now;
        }

        private static BprEmbeddings Copy(BprEmbeddings e) =>
            new(e.Users, e.Playlists, e.Dimensions, e.UserEmbeddings.ToArray(), e.PlaylistEmbeddings.ToArray());

        private static async Task TryAsync(Func<Task> action)
        {
            try
            {
                await action();
            }
            catch (Exception ex) when (ex is TrackingException or HttpRequestException or IOException)
            {
                // The original failure matters more than a failure to record it.
            }
        }

        private static string CodeVersion() =>
            typeof(BprTraining).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
    }

    /// <summary>Turns per-batch triplet counts into cumulative epoch progress.</summary>
    private sealed class Progress(IProgress<BprProgress>? target, string phase, long total) : IProgress<long>
    {
        private long _done;

        public void Report(long value)
        {
            var done = Interlocked.Add(ref _done, value);
            target?.Report(new BprProgress(phase, Math.Min(total, done), total));
        }
    }
}
