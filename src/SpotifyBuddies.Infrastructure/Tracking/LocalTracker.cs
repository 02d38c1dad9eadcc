using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SpotifyBuddies.Core.Artifacts;
using SpotifyBuddies.Core.Tracking;

namespace SpotifyBuddies.Infrastructure.Tracking;

/// <summary>
/// Experiment tracking and a model registry as files under one directory (the <c>Local</c> profile), with MLflow's
/// rules (<see cref="TrackingRules"/>) and semantics, so code tested here behaves the same against an MLflow server.
/// Run artifacts go to the <see cref="IArtifactStore"/> under <c>runs/&lt;run_id&gt;/artifacts/&lt;path&gt;</c>.
/// </summary>
/// <remarks>
/// <para><b>Layout</b>: see <see cref="LocalTrackerFiles"/>. Runs live flat under <c>runs/</c>, so a run is found by id
/// alone; the experiment is a field of its <c>meta.json</c>.</para>
/// <para><b>Several processes</b> may use one root at once: every JSON file is replaced atomically (temp file + rename),
/// metric points are appended as whole lines (a torn last line is ignored when read), and read-modify-write steps hold
/// a lock file (per run, per registered model, and one for the experiment list).</para>
/// <para><b>Semantics</b> (as MLflow): a param never changes value; tags overwrite; metrics keep every point and a run
/// shows the value at the highest step (then timestamp); get-or-create restores a deleted experiment; an alias points at
/// one version and setting it again moves it; deleting a missing alias is fine; search takes the filter subset of
/// <see cref="RunFilter"/>, <see cref="RunOrder"/> and page tokens of <see cref="PageToken"/>.</para>
/// </remarks>
public sealed partial class LocalTracker : IExperimentTracker, IModelRegistry
{
    private const string Active = "active";
    private const string Deleted = "deleted";

    private readonly LocalTrackerFiles _files;
    private readonly IArtifactStore _artifacts;
    private readonly LocalTrackerOptions _options;
    private readonly TimeProvider _time;

    public LocalTracker(LocalTrackerOptions options, IArtifactStore artifacts, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(artifacts);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Root);
        _options = options;
        _files = new LocalTrackerFiles(options.Root);
        _artifacts = artifacts;
        _time = timeProvider ?? TimeProvider.System;
        Directory.CreateDirectory(_files.Root);
    }

    public string Backend => "local";

    public string Location => _files.Root;

    // ---------------------------------------------------------------- experiments

    public async Task<Experiment> GetOrCreateExperimentAsync(string name, CancellationToken cancellationToken = default)
    {
        TrackingRules.ValidateExperimentName(name);
        var existing = await FindExperimentAsync(name, cancellationToken);
        if (existing is { LifecycleStage: Active })
        {
            return ToExperiment(existing);
        }

        using var held = await LockAsync(_files.ExperimentsLock, cancellationToken);
        existing = await FindExperimentAsync(name, cancellationToken);
        var now = Now();
        if (existing is not null)
        {
            if (existing.LifecycleStage == Deleted)
            {
                existing = existing with { LifecycleStage = Active, LastUpdateTime = now };
                await JsonFile.WriteAsync(_files.ExperimentMeta(existing.Id), existing, LocalTrackerJson.Default.ExperimentFile, cancellationToken);
            }

            return ToExperiment(existing);
        }

        var id = (ExperimentIds().Select(i => long.TryParse(i, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0).DefaultIfEmpty(0).Max() + 1)
            .ToString(CultureInfo.InvariantCulture);
        // Runs keep their artifacts under runs/<run_id>/artifacts in the store, whatever their experiment.
        var created = new ExperimentFile(id, name, $"{_artifacts.Location.TrimEnd('/')}/runs", Active, now, now);
        await JsonFile.WriteAsync(_files.ExperimentMeta(id), created, LocalTrackerJson.Default.ExperimentFile, cancellationToken);
        return ToExperiment(created);
    }

    /// <summary>Marks an experiment deleted (MLflow's soft delete; <see cref="GetOrCreateExperimentAsync"/> restores it).</summary>
    /// <exception cref="TrackingNotFoundException">No active experiment has that id.</exception>
    public async Task DeleteExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        using var held = await LockAsync(_files.ExperimentsLock, cancellationToken);
        var experiment = await ReadExperimentAsync(experimentId, cancellationToken);
        if (experiment is not { LifecycleStage: Active })
        {
            throw new TrackingNotFoundException($"No Experiment with id={experimentId} exists");
        }

        await JsonFile.WriteAsync(
            _files.ExperimentMeta(experimentId),
            experiment with { LifecycleStage = Deleted, LastUpdateTime = Now() },
            LocalTrackerJson.Default.ExperimentFile,
            cancellationToken);
    }

    // ---------------------------------------------------------------- runs

    public async Task<TrackedRun> CreateRunAsync(NewRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var experiment = await ReadExperimentAsync(run.ExperimentId, cancellationToken);
        if (experiment is not { LifecycleStage: Active })
        {
            throw new TrackingNotFoundException($"No active experiment with id={run.ExperimentId} exists");
        }

        var tags = NewRunTags.Build(run, _options.UserId).ToDictionary(StringComparer.Ordinal);

        if (run.ParentRunId is { } parent && !await RunExistsAsync(parent, cancellationToken))
        {
            throw new TrackingNotFoundException($"Parent run with id={parent} not found");
        }

        var runId = Guid.NewGuid().ToString("N");
        var file = new RunFile(
            runId,
            run.ExperimentId,
            run.RunName,
            RunStatusNames.ToMlflow(RunStatus.Running),
            (run.StartTime ?? _time.GetUtcNow()).ToUnixTimeMilliseconds(),
            null,
            $"{_artifacts.Location.TrimEnd('/')}/{ArtifactKeys.Run(runId, "artifacts")}",
            Active);
        using (await LockAsync(_files.RunLock(runId), cancellationToken))
        {
            await JsonFile.WriteAsync(_files.RunTags(runId), tags, LocalTrackerJson.Default.DictionaryStringString, cancellationToken);
            await JsonFile.WriteAsync(_files.RunParams(runId), new Dictionary<string, string>(), LocalTrackerJson.Default.DictionaryStringString, cancellationToken);
            await JsonFile.WriteAsync(_files.RunMeta(runId), file, LocalTrackerJson.Default.RunFile, cancellationToken); // last: the run exists once this is there
        }

        return await GetRunAsync(runId, cancellationToken);
    }

    public async Task<TrackedRun> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        var meta = await ReadRunMetaAsync(runId, cancellationToken) ?? throw RunNotFound(runId);
        return await LoadRunAsync(meta, cancellationToken);
    }

    public async Task UpdateRunAsync(string runId, RunStatus status, DateTimeOffset? endTime = null, CancellationToken cancellationToken = default)
    {
        _ = RunStatusNames.ToMlflow(status);
        using var held = await LockRunAsync(runId, cancellationToken);
        var meta = await ReadRunMetaAsync(runId, cancellationToken) ?? throw RunNotFound(runId);
        long? end = RunStatusNames.IsTerminal(status)
            ? (endTime ?? _time.GetUtcNow()).ToUnixTimeMilliseconds()
            : endTime?.ToUnixTimeMilliseconds() ?? meta.EndTime;
        await JsonFile.WriteAsync(
            _files.RunMeta(runId),
            meta with { Status = RunStatusNames.ToMlflow(status), EndTime = end },
            LocalTrackerJson.Default.RunFile,
            cancellationToken);
    }

    public async Task LogBatchAsync(
        string runId,
        IReadOnlyList<MetricPoint>? metrics = null,
        IReadOnlyList<KeyValuePair<string, string>>? parameters = null,
        IReadOnlyList<KeyValuePair<string, string>>? tags = null,
        CancellationToken cancellationToken = default)
    {
        metrics ??= [];
        tags ??= [];
        var distinctParams = TrackingRules.ValidateBatch(metrics, parameters ?? [], tags);
        using var held = await LockRunAsync(runId, cancellationToken);
        _ = await ReadRunMetaAsync(runId, cancellationToken) ?? throw RunNotFound(runId);

        // Check every param before writing anything, so a refused batch writes nothing (as MLflow).
        if (distinctParams.Count > 0)
        {
            var logged = await ReadDictionaryAsync(_files.RunParams(runId), cancellationToken);
            var changed = false;
            foreach (var (key, value) in distinctParams)
            {
                if (logged.TryGetValue(key, out var old))
                {
                    if (!string.Equals(old, value, StringComparison.Ordinal))
                    {
                        throw TrackingRules.ParamChanged(runId, key, old, value);
                    }

                    continue;
                }

                logged[key] = value;
                changed = true;
            }

            if (changed)
            {
                await JsonFile.WriteAsync(_files.RunParams(runId), logged, LocalTrackerJson.Default.DictionaryStringString, cancellationToken);
            }
        }

        if (tags.Count > 0)
        {
            var current = await ReadDictionaryAsync(_files.RunTags(runId), cancellationToken);
            foreach (var (key, value) in tags)
            {
                current[key] = value;
            }

            await JsonFile.WriteAsync(_files.RunTags(runId), current, LocalTrackerJson.Default.DictionaryStringString, cancellationToken);
        }

        foreach (var group in metrics.GroupBy(m => m.Key, StringComparer.Ordinal))
        {
            var lines = new StringBuilder();
            foreach (var point in group)
            {
                lines.Append(JsonSerializer.Serialize(new MetricLine(point.Value, point.Timestamp.ToUnixTimeMilliseconds(), point.Step), LocalTrackerJson.Default.MetricLine)).Append('\n');
            }

            var path = _files.RunMetric(runId, group.Key);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.Asynchronous);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(lines.ToString()), cancellationToken);
        }
    }

    public async Task<IReadOnlyList<MetricPoint>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken = default)
    {
        _ = await ReadRunMetaAsync(runId, cancellationToken) ?? throw RunNotFound(runId);
        TrackingRules.ValidateKey("metric", key);
        var points = await ReadMetricAsync(runId, key, cancellationToken);
        return [.. points.Select((p, i) => (p, i)).OrderBy(x => x.p.Step).ThenBy(x => x.p.Timestamp).ThenBy(x => x.i).Select(x => x.p)];
    }

    public async Task<RunPage> SearchRunsAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.MaxResults is < 1 or > TrackingRules.MaxSearchResults)
        {
            throw TrackingRules.Invalid($"Invalid value {query.MaxResults} for max_results: it must be between 1 and {TrackingRules.MaxSearchResults}.");
        }

        var filter = RunFilter.Parse(query.Filter);
        var order = RunOrder.Parse(query.OrderBy);
        var offset = PageToken.Decode(query.PageToken);
        // Runs of a deleted experiment are deleted with it (MLflow), until it is restored.
        var experiments = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in query.ExperimentIds)
        {
            if (await ReadExperimentAsync(id, cancellationToken) is { LifecycleStage: Active })
            {
                experiments.Add(id);
            }
        }

        var matches = new List<TrackedRun>();
        if (Directory.Exists(_files.RunsDirectory))
        {
            foreach (var directory in Directory.EnumerateDirectories(_files.RunsDirectory))
            {
                var meta = await ReadRunMetaAsync(Path.GetFileName(directory), cancellationToken);
                if (meta is null || meta.LifecycleStage != Active || !experiments.Contains(meta.ExperimentId))
                {
                    continue;
                }

                var run = await LoadRunAsync(meta, cancellationToken);
                if (filter.Matches(run))
                {
                    matches.Add(run);
                }
            }
        }

        matches.Sort(order);
        var page = matches.Skip(offset).Take(query.MaxResults).ToList();
        var next = offset + page.Count < matches.Count ? PageToken.Encode(offset + page.Count) : null;
        return new RunPage(page, next);
    }

    // ---------------------------------------------------------------- artifacts

    public async Task LogArtifactsAsync(string runId, string localPath, string artifactPath = "", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(localPath);
        var files = LocalArtifactFiles.Enumerate(localPath, artifactPath);
        _ = await ReadRunMetaAsync(runId, cancellationToken) ?? throw RunNotFound(runId);
        foreach (var (file, relative) in files)
        {
            await _artifacts.PutFileAsync(ArtifactKey(runId, relative), file, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<RunArtifact>> ListArtifactsAsync(string runId, string path = "", CancellationToken cancellationToken = default)
    {
        var relative = TrackingRules.ValidateArtifactPath(path);
        _ = await ReadRunMetaAsync(runId, cancellationToken) ?? throw RunNotFound(runId);
        var prefix = ArtifactKey(runId, relative) + "/";
        var children = new SortedDictionary<string, RunArtifact>(StringComparer.Ordinal);
        await foreach (var info in _artifacts.ListAsync(prefix, cancellationToken))
        {
            var rest = info.Key[prefix.Length..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            var child = Combine(relative, slash < 0 ? rest : rest[..slash]);
            children.TryAdd(child, slash < 0 ? new RunArtifact(child, false, info.Length) : new RunArtifact(child, true, null));
        }

        return [.. children.Values];
    }

    public async Task DownloadArtifactsAsync(string runId, string artifactPath, string localPath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(localPath);
        var relative = TrackingRules.ValidateArtifactPath(artifactPath);
        _ = await ReadRunMetaAsync(runId, cancellationToken) ?? throw RunNotFound(runId);
        if (relative.Length > 0 && await _artifacts.StatAsync(ArtifactKey(runId, relative), cancellationToken) is not null)
        {
            await DownloadFileAsync(ArtifactKey(runId, relative), localPath, cancellationToken);
            return;
        }

        var prefix = ArtifactKey(runId, relative) + "/";
        var any = false;
        await foreach (var info in _artifacts.ListAsync(prefix, cancellationToken))
        {
            any = true;
            var target = Path.Combine(localPath, info.Key[prefix.Length..].Replace('/', Path.DirectorySeparatorChar));
            await DownloadFileAsync(info.Key, target, cancellationToken);
        }

        if (!any)
        {
            throw new TrackingNotFoundException($"Run '{runId}' has no artifact at '{relative}' (looked in {_artifacts.Location}).");
        }
    }

    // ---------------------------------------------------------------- registry

    public async Task<RegisteredModel> GetOrCreateModelAsync(string name, string? description = null, CancellationToken cancellationToken = default)
    {
        TrackingRules.ValidateModelName(name);
        if (await ReadModelAsync(name, cancellationToken) is { } existing)
        {
            return ToModel(existing);
        }

        using var held = await LockAsync(_files.RegistryLock, cancellationToken);
        if (await ReadModelAsync(name, cancellationToken) is { } raced)
        {
            return ToModel(raced);
        }

        var now = Now();
        var created = new ModelFile(name, description, now, now, new Dictionary<string, string>(StringComparer.Ordinal));
        await JsonFile.WriteAsync(_files.ModelMeta(name), created, LocalTrackerJson.Default.ModelFile, cancellationToken);
        return ToModel(created);
    }

    public async Task<IReadOnlyList<RegisteredModel>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        var models = new List<RegisteredModel>();
        if (!Directory.Exists(_files.RegistryDirectory))
        {
            return models;
        }

        foreach (var directory in Directory.EnumerateDirectories(_files.RegistryDirectory))
        {
            var meta = await JsonFile.ReadAsync(Path.Combine(directory, "meta.json"), LocalTrackerJson.Default.ModelFile, cancellationToken);
            if (meta is not null)
            {
                models.Add(ToModel(meta));
            }
        }

        return [.. models.OrderBy(m => m.Name, StringComparer.Ordinal)];
    }

    public async Task<ModelVersion> CreateVersionAsync(
        string name,
        string source,
        string? runId,
        IReadOnlyDictionary<string, string>? tags = null,
        CancellationToken cancellationToken = default)
    {
        TrackingRules.ValidateModelName(name);
        if (string.IsNullOrWhiteSpace(source) || !UriSchemePattern().IsMatch(source))
        {
            throw TrackingRules.Invalid($"Invalid model version source: '{source}'. Use a URI such as runs:/<run_id>/model or the run's artifact URI.");
        }

        foreach (var (key, value) in tags ?? new Dictionary<string, string>())
        {
            TrackingRules.ValidateKey("tag", key);
            TrackingRules.ValidateTagValue(key, value);
        }

        using var held = await LockModelAsync(name, cancellationToken);
        var model = await ReadModelAsync(name, cancellationToken) ?? throw ModelNotFound(name);
        var version = VersionNumbers(name).DefaultIfEmpty(0).Max() + 1;
        var now = Now();
        var file = new VersionFile(version, source, runId, "READY", now, new Dictionary<string, string>(tags ?? new Dictionary<string, string>(), StringComparer.Ordinal));
        await JsonFile.WriteAsync(_files.ModelVersion(name, version), file, LocalTrackerJson.Default.VersionFile, cancellationToken);
        await JsonFile.WriteAsync(_files.ModelMeta(name), model with { LastUpdatedTime = now }, LocalTrackerJson.Default.ModelFile, cancellationToken);
        return ToVersion(name, file, model);
    }

    public async Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string name, CancellationToken cancellationToken = default)
    {
        TrackingRules.ValidateModelName(name);
        var model = await ReadModelAsync(name, cancellationToken);
        if (model is null)
        {
            return []; // as MLflow's search: an unknown name has no versions
        }

        var versions = new List<ModelVersion>();
        foreach (var number in VersionNumbers(name).OrderDescending())
        {
            if (await JsonFile.ReadAsync(_files.ModelVersion(name, number), LocalTrackerJson.Default.VersionFile, cancellationToken) is { } file)
            {
                versions.Add(ToVersion(name, file, model));
            }
        }

        return versions;
    }

    public async Task<ModelVersion> GetVersionAsync(string name, string version, CancellationToken cancellationToken = default)
    {
        TrackingRules.ValidateModelName(name);
        var model = await ReadModelAsync(name, cancellationToken) ?? throw ModelNotFound(name);
        var file = await ReadVersionAsync(name, version, cancellationToken) ?? throw VersionNotFound(name, version);
        return ToVersion(name, file, model);
    }

    public async Task SetAliasAsync(string name, string aliasName, string version, CancellationToken cancellationToken = default)
    {
        TrackingRules.ValidateModelName(name);
        TrackingRules.ValidateAlias(aliasName);
        using var held = await LockModelAsync(name, cancellationToken);
        var model = await ReadModelAsync(name, cancellationToken) ?? throw ModelNotFound(name);
        var file = await ReadVersionAsync(name, version, cancellationToken) ?? throw VersionNotFound(name, version);
        var aliases = new Dictionary<string, string>(model.Aliases, StringComparer.Ordinal)
        {
            [aliasName] = file.Version.ToString(CultureInfo.InvariantCulture),
        };
        await JsonFile.WriteAsync(_files.ModelMeta(name), model with { Aliases = aliases, LastUpdatedTime = Now() }, LocalTrackerJson.Default.ModelFile, cancellationToken);
    }

    public async Task DeleteAliasAsync(string name, string aliasName, CancellationToken cancellationToken = default)
    {
        TrackingRules.ValidateModelName(name);
        TrackingRules.ValidateAlias(aliasName);
        using var held = await LockModelAsync(name, cancellationToken);
        var model = await ReadModelAsync(name, cancellationToken) ?? throw ModelNotFound(name);
        if (!model.Aliases.ContainsKey(aliasName))
        {
            return;
        }

        var aliases = new Dictionary<string, string>(model.Aliases, StringComparer.Ordinal);
        aliases.Remove(aliasName);
        await JsonFile.WriteAsync(_files.ModelMeta(name), model with { Aliases = aliases, LastUpdatedTime = Now() }, LocalTrackerJson.Default.ModelFile, cancellationToken);
    }

    public async Task<ModelVersion?> GetVersionByAliasAsync(string name, string aliasName, CancellationToken cancellationToken = default)
    {
        TrackingRules.ValidateModelName(name);
        TrackingRules.ValidateAlias(aliasName);
        var model = await ReadModelAsync(name, cancellationToken);
        if (model is null || !model.Aliases.TryGetValue(aliasName, out var version))
        {
            return null;
        }

        var file = await ReadVersionAsync(name, version, cancellationToken);
        return file is null ? null : ToVersion(name, file, model);
    }

    // ---------------------------------------------------------------- helpers

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private Task<FileLock> LockAsync(string path, CancellationToken cancellationToken) =>
        FileLock.AcquireAsync(path, _options.LockTimeout, cancellationToken);

    private async Task<FileLock> LockRunAsync(string runId, CancellationToken cancellationToken)
    {
        if (!IsSafeId(runId) || !Directory.Exists(_files.RunDirectory(runId)))
        {
            throw RunNotFound(runId);
        }

        return await LockAsync(_files.RunLock(runId), cancellationToken);
    }

    private async Task<FileLock> LockModelAsync(string name, CancellationToken cancellationToken)
    {
        if (!File.Exists(_files.ModelMeta(name)))
        {
            throw ModelNotFound(name);
        }

        return await LockAsync(_files.ModelLock(name), cancellationToken);
    }

    private IEnumerable<string> ExperimentIds() =>
        Directory.Exists(_files.ExperimentsDirectory)
            ? Directory.EnumerateDirectories(_files.ExperimentsDirectory).Select(Path.GetFileName).OfType<string>()
            : [];

    private async Task<ExperimentFile?> FindExperimentAsync(string name, CancellationToken cancellationToken)
    {
        foreach (var id in ExperimentIds())
        {
            if (await ReadExperimentAsync(id, cancellationToken) is { } experiment && string.Equals(experiment.Name, name, StringComparison.Ordinal))
            {
                return experiment;
            }
        }

        return null;
    }

    private Task<ExperimentFile?> ReadExperimentAsync(string id, CancellationToken cancellationToken) =>
        IsSafeId(id) ? JsonFile.ReadAsync(_files.ExperimentMeta(id), LocalTrackerJson.Default.ExperimentFile, cancellationToken) : Task.FromResult<ExperimentFile?>(null);

    private Task<RunFile?> ReadRunMetaAsync(string runId, CancellationToken cancellationToken) =>
        IsSafeId(runId) ? JsonFile.ReadAsync(_files.RunMeta(runId), LocalTrackerJson.Default.RunFile, cancellationToken) : Task.FromResult<RunFile?>(null);

    private async Task<bool> RunExistsAsync(string runId, CancellationToken cancellationToken) =>
        await ReadRunMetaAsync(runId, cancellationToken) is not null;

    private static async Task<Dictionary<string, string>> ReadDictionaryAsync(string path, CancellationToken cancellationToken) =>
        new(await JsonFile.ReadAsync(path, LocalTrackerJson.Default.DictionaryStringString, cancellationToken) ?? [], StringComparer.Ordinal);

    private async Task<TrackedRun> LoadRunAsync(RunFile meta, CancellationToken cancellationToken)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        var directory = _files.RunMetricsDirectory(meta.RunId);
        if (Directory.Exists(directory))
        {
            foreach (var file in Directory.EnumerateFiles(directory, "*.jsonl"))
            {
                var key = LocalTrackerFiles.Unescape(Path.GetFileNameWithoutExtension(file));
                var points = await ReadMetricAsync(meta.RunId, key, cancellationToken);
                if (points.Count > 0)
                {
                    // MLflow's latest value: the point with the highest (step, timestamp, value).
                    metrics[key] = points.MaxBy(p => (p.Step, p.Timestamp, p.Value))!.Value;
                }
            }
        }

        return new TrackedRun
        {
            RunId = meta.RunId,
            ExperimentId = meta.ExperimentId,
            RunName = meta.RunName,
            Status = RunStatusNames.FromMlflow(meta.Status),
            StartTime = DateTimeOffset.FromUnixTimeMilliseconds(meta.StartTime),
            EndTime = meta.EndTime is { } end ? DateTimeOffset.FromUnixTimeMilliseconds(end) : null,
            ArtifactUri = meta.ArtifactUri,
            Metrics = metrics,
            Params = await ReadDictionaryAsync(_files.RunParams(meta.RunId), cancellationToken),
            Tags = await ReadDictionaryAsync(_files.RunTags(meta.RunId), cancellationToken),
        };
    }

    private async Task<List<MetricPoint>> ReadMetricAsync(string runId, string key, CancellationToken cancellationToken)
    {
        var path = _files.RunMetric(runId, key);
        string text;
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, FileOptions.Asynchronous);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            text = await reader.ReadToEndAsync(cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return [];
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }

        var points = new List<MetricPoint>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length - 1; i++) // the part after the last '\n' is empty, or a line still being written
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            var line = JsonSerializer.Deserialize(lines[i], LocalTrackerJson.Default.MetricLine)
                ?? throw new InvalidDataException($"'{path}' line {i + 1} is null.");
            points.Add(new MetricPoint(key, line.Value, DateTimeOffset.FromUnixTimeMilliseconds(line.Timestamp), line.Step));
        }

        return points;
    }

    private Task<ModelFile?> ReadModelAsync(string name, CancellationToken cancellationToken) =>
        JsonFile.ReadAsync(_files.ModelMeta(name), LocalTrackerJson.Default.ModelFile, cancellationToken);

    private Task<VersionFile?> ReadVersionAsync(string name, string version, CancellationToken cancellationToken) =>
        long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? JsonFile.ReadAsync(_files.ModelVersion(name, number), LocalTrackerJson.Default.VersionFile, cancellationToken)
            : Task.FromResult<VersionFile?>(null);

    private IEnumerable<long> VersionNumbers(string name) =>
        Directory.Exists(_files.ModelVersionsDirectory(name))
            ? Directory.EnumerateFiles(_files.ModelVersionsDirectory(name), "*.json")
                .Select(f => long.TryParse(Path.GetFileNameWithoutExtension(f), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)
                .Where(n => n > 0)
            : [];

    private async Task DownloadFileAsync(string key, string target, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(target));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        await _artifacts.GetFileAsync(key, target, cancellationToken);
    }

    private static string ArtifactKey(string runId, string relative) =>
        ArtifactKeys.Run(runId, relative.Length == 0 ? "artifacts" : $"artifacts/{relative}");

    private static string Combine(string left, string right) =>
        left.Length == 0 ? right : right.Length == 0 ? left : $"{left}/{right}";

    private static Experiment ToExperiment(ExperimentFile file) => new(file.Id, file.Name, file.ArtifactLocation, file.LifecycleStage);

    private static RegisteredModel ToModel(ModelFile file) => new(
        file.Name,
        file.Description,
        DateTimeOffset.FromUnixTimeMilliseconds(file.CreationTime),
        DateTimeOffset.FromUnixTimeMilliseconds(file.LastUpdatedTime),
        new SortedDictionary<string, string>(file.Aliases, StringComparer.Ordinal));

    private static ModelVersion ToVersion(string name, VersionFile file, ModelFile model)
    {
        var version = file.Version.ToString(CultureInfo.InvariantCulture);
        return new ModelVersion
        {
            Name = name,
            Version = version,
            Source = file.Source,
            RunId = file.RunId,
            Status = file.Status,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(file.CreationTime),
            Aliases = [.. model.Aliases.Where(a => a.Value == version).Select(a => a.Key).Order(StringComparer.Ordinal)],
            Tags = file.Tags,
        };
    }

    private static bool IsSafeId(string? id) => id is not null && SafeIdPattern().IsMatch(id);

    private static TrackingNotFoundException RunNotFound(string runId) => new($"Run with id={runId} not found");

    private static TrackingNotFoundException ModelNotFound(string name) => new($"Registered Model with name={name} not found");

    private static TrackingNotFoundException VersionNotFound(string name, string version) => new($"Model Version (name={name}, version={version}) not found");

    [GeneratedRegex(@"^[A-Za-z0-9][\w\-]{0,255}$")]
    private static partial Regex SafeIdPattern();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]*:")]
    private static partial Regex UriSchemePattern();
}
