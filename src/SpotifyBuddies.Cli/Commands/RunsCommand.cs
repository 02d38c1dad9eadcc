using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using SpotifyBuddies.Cli.Composition;
using SpotifyBuddies.Cli.Output;
using SpotifyBuddies.Core.Tracking;

namespace SpotifyBuddies.Cli.Commands;

/// <summary><c>buddies runs list|show</c>: tracked training runs, on the Local or the Production tracker.</summary>
internal static class RunsCommand
{
    /// <summary>The metrics <c>runs list</c> shows as columns.</summary>
    private static readonly string[] KeyMetrics = ["val_mrr", "test_mrr", "best_val_mrr"];

    /// <summary>The metrics whose history <c>runs show</c> tabulates per step unless <c>--metric</c> says otherwise.</summary>
    private static readonly string[] HistoryMetrics = ["train_loss", "val_mrr"];

    /// <summary>The most runs one search request asks for (the local tracker and MLflow allow more).</summary>
    private const int PageSize = 1000;

    public static Command Create()
    {
        var runs = new Command("runs", "Tracked training runs: list and filter them, show one with its params, metric histories and artifacts.");
        runs.Add(CreateList());
        runs.Add(CreateShow());
        return runs;
    }

    private static Command CreateList()
    {
        var filter = new Option<string?>("--filter")
        {
            Description = "MLflow filter string, e.g. \"metrics.val_mrr > 0.5 AND tags.buddies.backend = 'native'\" " +
                          "(metrics.k, params.k, tags.k, attributes.status/run_name/start_time; AND only).",
        };
        var orderBy = new Option<string[]>("--order-by")
        {
            Description = "Sort key, e.g. \"metrics.val_mrr DESC\" (repeatable; default: newest first).",
        };
        var max = new Option<int>("--max") { Description = "List at most this many runs.", DefaultValueFactory = _ => 50 };
        var store = TrackingOptions.Create();
        var json = CommonOptions.Json();
        var command = new Command(
            "list",
            "List the runs of an experiment (newest first unless --order-by): id, name, status, start, duration, val/test/best " +
            "val MRR, backend and parent run. Reading never creates an experiment: an unknown name is an error.")
        {
            filter, orderBy, max, json,
        };
        store.AddLocationsTo(command);
        store.AddExperimentTo(command);

        TrackedAction.Set(command, async (parse, cancellationToken) =>
        {
            var limit = parse.GetValue(max);
            if (limit < 1)
            {
                throw new CommandAction.InvalidInputException($"--max must be at least 1, not {limit}");
            }

            var name = store.Experiment(parse);
            using var backends = store.Open(parse, TrackingUse.Reading);
            var experiment = await backends.FindExperimentAsync(name, cancellationToken)
                ?? throw new CommandAction.InvalidInputException(await UnknownExperimentAsync(backends, name, cancellationToken));

            var found = new List<TrackedRun>();
            string? token = null;
            bool more;
            do
            {
                var page = await backends.RequiredTracker.SearchRunsAsync(
                    new RunQuery
                    {
                        ExperimentIds = [experiment.Id],
                        Filter = parse.GetValue(filter) ?? "",
                        OrderBy = parse.GetValue(orderBy) ?? [],
                        MaxResults = Math.Min(PageSize, limit - found.Count),
                        PageToken = token,
                    },
                    cancellationToken);
                found.AddRange(page.Runs);
                token = page.NextPageToken;
                more = token is not null;
            }
            while (more && found.Count < limit);

            var ui = ConsoleUi.Create(parse.GetValue(json));
            if (ui.Json)
            {
                ui.WriteJson(new { Experiment = experiment, Runs = found, More = more });
            }
            else
            {
                WidenWhenRedirected(ui);
                ui.Out.Write(ListTable(experiment, found, backends.TrackerDescription));
                if (more)
                {
                    ui.Note($"[grey]more runs match: raise --max (now {limit})[/]");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateShow()
    {
        var runId = new Argument<string>("run-id") { Description = "The run's id (from 'buddies runs list' or the train output)." };
        var metrics = new Option<string[]>("--metric")
        {
            Description = $"Metric whose history to tabulate per step (repeatable; default {string.Join(", ", HistoryMetrics)}).",
        };
        var store = TrackingOptions.Create();
        var json = CommonOptions.Json();
        var command = new Command(
            "show",
            "Show one run: its info, params, tags and latest metrics, the per-step history of train_loss and val_mrr (or " +
            "--metric), and its artifact tree (the logged model directory under model/).")
        {
            runId, metrics, json,
        };
        store.AddLocationsTo(command);

        TrackedAction.Set(command, async (parse, cancellationToken) =>
        {
            var id = parse.GetValue(runId)!;
            using var backends = store.Open(parse, TrackingUse.Reading);
            var tracker = backends.RequiredTracker;
            TrackedRun run;
            try
            {
                run = await tracker.GetRunAsync(id, cancellationToken);
            }
            catch (TrackingNotFoundException)
            {
                throw new CommandAction.InvalidInputException($"no run '{id}' in {backends.TrackerDescription}");
            }

            var keys = parse.GetValue(metrics) is { Length: > 0 } chosen ? chosen : HistoryMetrics;
            var history = new SortedDictionary<string, IReadOnlyList<MetricPoint>>(StringComparer.Ordinal);
            foreach (var key in keys.Distinct(StringComparer.Ordinal))
            {
                history[key] = await tracker.GetMetricHistoryAsync(run.RunId, key, cancellationToken);
            }

            var artifacts = new List<RunArtifact>();
            await ListArtifactsAsync(tracker, run.RunId, "", artifacts, cancellationToken);

            var ui = ConsoleUi.Create(parse.GetValue(json));
            if (ui.Json)
            {
                ui.WriteJson(new
                {
                    Run = run,
                    History = history.ToDictionary(h => h.Key, h => h.Value.Select(p => new { p.Step, p.Value, p.Timestamp })),
                    Artifacts = artifacts,
                });
            }
            else
            {
                WidenWhenRedirected(ui);
                ui.Out.Write(InfoTable(run));
                ui.Out.Write(KeyValueTable("Params", run.Params));
                ui.Out.Write(KeyValueTable("Tags", run.Tags));
                ui.Out.Write(KeyValueTable("Metrics (latest)", run.Metrics.ToDictionary(m => m.Key, m => Number(m.Value), StringComparer.Ordinal)));
                ui.Out.Write(HistoryTable(history));
                ui.Out.Write(ArtifactTree(run, artifacts));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Every artifact under <paramref name="path"/>, depth first, directories before their contents.</summary>
    private static async Task ListArtifactsAsync(IExperimentTracker tracker, string runId, string path, List<RunArtifact> into, CancellationToken cancellationToken)
    {
        foreach (var artifact in await tracker.ListArtifactsAsync(runId, path, cancellationToken))
        {
            into.Add(artifact);
            if (artifact.IsDirectory)
            {
                await ListArtifactsAsync(tracker, runId, artifact.Path, into, cancellationToken);
            }
        }
    }

    private static async Task<string> UnknownExperimentAsync(TrackingBackends backends, string name, CancellationToken cancellationToken)
    {
        var known = await backends.KnownExperimentsAsync(cancellationToken);
        var listed = known.Count == 0 ? "" : $" (experiments there: {string.Join(", ", known)})";
        return $"no experiment '{name}' in {backends.TrackerDescription}{listed}; pick one with --experiment NAME";
    }

    internal static Table ListTable(Experiment experiment, IReadOnlyList<TrackedRun> runs, string where)
    {
        // The full run id never wraps (it is what 'runs show' takes); the parent column only appears for nested runs.
        var nested = runs.Any(r => r.ParentRunId is not null);
        var table = new Table().Border(TableBorder.Simple)
            .Title($"[bold]Runs of {Markup.Escape(experiment.Name)}[/] [grey](experiment {Markup.Escape(experiment.Id)})[/]")
            .AddColumn(new TableColumn("run id").NoWrap()).AddColumn("name").AddColumn("status").AddColumn("start")
            .AddColumn(new TableColumn("duration").RightAligned());
        foreach (var metric in KeyMetrics)
        {
            table.AddColumn(new TableColumn(metric).RightAligned());
        }

        table.AddColumn("backend");
        if (nested)
        {
            table.AddColumn("parent");
        }

        foreach (var run in runs)
        {
            var cells = new List<string>
            {
                run.RunId, run.RunName ?? "", Status(run.Status), Time(run.StartTime, "yyyy-MM-dd HH:mm"), Duration(run),
            };
            cells.AddRange(KeyMetrics.Select(m => run.Metrics.TryGetValue(m, out var value) ? Number(value) : "—"));
            cells.Add(run.Tags.TryGetValue(TrackingTags.Backend, out var backend) ? backend : "");
            if (nested)
            {
                cells.Add(run.ParentRunId is { } parent ? Short(parent) : "");
            }

            table.AddRow([.. cells.Select(Markup.Escape)]);
        }

        return table.Caption($"[grey]{runs.Count} run(s) · {Markup.Escape(where)} · details: buddies runs show RUN_ID[/]");
    }

    private static Table InfoTable(TrackedRun run)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]Run {Markup.Escape(run.RunId)}[/]").AddColumn("field").AddColumn("value");
        void Row(string field, string? value) => table.AddRow(Markup.Escape(field), Markup.Escape(value ?? ""));
        Row("name", run.RunName);
        Row("experiment", run.ExperimentId);
        Row("status", Status(run.Status));
        Row("start", Time(run.StartTime));
        Row("end", run.EndTime is { } end ? Time(end) : "");
        Row("duration", Duration(run));
        Row("parent", run.ParentRunId);
        Row("artifacts", run.ArtifactUri);
        return table;
    }

    private static Table KeyValueTable(string title, IReadOnlyDictionary<string, string> values)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(title)}[/]").AddColumn("key").AddColumn("value");
        foreach (var (key, value) in values.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            table.AddRow(Markup.Escape(key), Markup.Escape(value));
        }

        return values.Count == 0 ? table.Caption("[grey]none[/]") : table;
    }

    /// <summary>One row per step; a metric logged more than once at a step shows every value, oldest first.</summary>
    private static Table HistoryTable(IReadOnlyDictionary<string, IReadOnlyList<MetricPoint>> history)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Metric history[/]").AddColumn(new TableColumn("step").RightAligned());
        foreach (var key in history.Keys)
        {
            table.AddColumn(new TableColumn(Markup.Escape(key)).RightAligned());
        }

        foreach (var step in history.Values.SelectMany(points => points.Select(p => p.Step)).Distinct().Order())
        {
            var cells = new List<string> { step.ToString(CultureInfo.InvariantCulture) };
            cells.AddRange(history.Values.Select(points => string.Join(" → ", points.Where(p => p.Step == step).Select(p => Number(p.Value)))));
            table.AddRow([.. cells.Select(Markup.Escape)]);
        }

        return history.Values.All(points => points.Count == 0) ? table.Caption("[grey]no points logged[/]") : table;
    }

    private static Tree ArtifactTree(TrackedRun run, List<RunArtifact> artifacts)
    {
        var tree = new Tree($"[bold]Artifacts[/] [grey]{Markup.Escape(run.ArtifactUri)}[/]");
        var nodes = new Dictionary<string, TreeNode>(StringComparer.Ordinal);
        foreach (var artifact in artifacts)
        {
            var slash = artifact.Path.LastIndexOf('/');
            var label = Markup.Escape(slash < 0 ? artifact.Path : artifact.Path[(slash + 1)..]);
            label = artifact.IsDirectory ? $"{label}/" : $"{label} [grey]{Size(artifact.Length)}[/]";
            var node = slash > 0 && nodes.TryGetValue(artifact.Path[..slash], out var parent) ? parent.AddNode(label) : tree.AddNode(label);
            nodes[artifact.Path] = node;
        }

        if (artifacts.Count == 0)
        {
            tree.AddNode("[grey]none[/]");
        }

        return tree;
    }

    /// <summary>A file or pipe has no width: do not wrap run ids, hashes and URIs at the 80 columns assumed for it.</summary>
    internal static void WidenWhenRedirected(ConsoleUi ui)
    {
        if (Console.IsOutputRedirected)
        {
            ui.Out.Profile.Width = Math.Max(ui.Out.Profile.Width, 220);
        }
    }

    private static string Status(RunStatus status) => status.ToString().ToUpperInvariant();

    private static string Time(DateTimeOffset time, string format = "yyyy-MM-dd HH:mm:ss") => time.ToLocalTime().ToString(format, CultureInfo.InvariantCulture);

    private static string Duration(TrackedRun run)
    {
        if (run.EndTime is not { } end)
        {
            return run.Status == RunStatus.Running ? "running" : "";
        }

        var span = end - run.StartTime;
        return span.TotalSeconds < 60
            ? span.TotalSeconds.ToString("0.0 's'", CultureInfo.InvariantCulture)
            : span.TotalHours < 1
                ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes}m {span.Seconds:00}s")
                : string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}h {span.Minutes:00}m");
    }

    private static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Size(long? bytes) => bytes switch
    {
        null => "",
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB"),
    };

    private static string Short(string runId) => runId.Length > 8 ? runId[..8] + "…" : runId;
}
