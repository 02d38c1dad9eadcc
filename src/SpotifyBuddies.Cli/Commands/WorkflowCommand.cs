using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using SpotifyBuddies.Cli.Composition;
using SpotifyBuddies.Cli.Output;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Workflows.Definitions;
using SpotifyBuddies.Workflows.Execution;
using SpotifyBuddies.Workflows.Validation;

namespace SpotifyBuddies.Cli.Commands;

/// <summary>
/// <c>buddies workflow validate|list|run|runs|show|cancel|retry</c> and <c>buddies worker</c>: declarative workflows
/// run by the engine as Hangfire jobs (Local profile: in this process, SQLite + in-memory Hangfire; Production:
/// PostgreSQL, run by <c>buddies worker</c> processes and the API host).
/// </summary>
internal static class WorkflowCommand
{
    public static Command Create()
    {
        var workflow = new Command(
            "workflow",
            "Declarative workflows (workflows/*.yaml): validate definitions, start runs with parameters, follow, cancel and " +
            "retry them. In the Local profile a run executes inside this command (SQLite + in-memory Hangfire), so " +
            "'workflow run' waits for it; in the Production profile it is queued in PostgreSQL for 'buddies worker' " +
            "processes and the API host.");
        workflow.Add(CreateValidate());
        workflow.Add(CreateList());
        workflow.Add(CreateRun());
        workflow.Add(CreateRuns());
        workflow.Add(CreateShow());
        workflow.Add(CreateCancel());
        workflow.Add(CreateRetry());
        return workflow;
    }

    /// <summary><c>buddies worker</c>: a Hangfire server for workflow steps.</summary>
    public static Command CreateWorker()
    {
        var queues = new Option<string[]>("--queue", "-q")
        {
            Description = "Queues to take jobs from (repeatable): training, dataprep, default. Default: all three.",
            AllowMultipleArgumentsPerToken = true,
        };
        queues.AcceptOnlyFromAmong("training", "dataprep", "default");
        var options = TrackingOptions.Create();
        var command = new Command(
            "worker",
            "Run workflow steps: a Hangfire server on the given queues, until Ctrl+C. Registers the workflows' cron " +
            "schedules and picks up runs that were active when a worker stopped. Scale out by starting more workers " +
            "against the same PostgreSQL (Production profile).") { queues };
        options.AddLocationsTo(command);
        Set(command, async (parse, cancellationToken) =>
        {
            var chosen = parse.GetValue(queues) is { Length: > 0 } q ? q : null;
            await using var host = await WorkflowHost.StartAsync(options.Configuration(parse), WorkflowHostRole.Worker, chosen, LogLevel.Information, cancellationToken);
            Console.Error.WriteLine($"worker: {host.Profile} profile, queues {string.Join(", ", chosen ?? ["training", "dataprep", "default"])}, " +
                $"{host.Engine.Workflows.Count} workflow(s); Ctrl+C to stop");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("worker: stopping (running steps are handed back to the queue)");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateValidate()
    {
        var files = new Argument<FileInfo[]>("files") { Description = "Definition files (.yaml, .yml, .json); default: every file in the workflows folder.", Arity = ArgumentArity.ZeroOrMore };
        var json = CommonOptions.Json();
        var options = TrackingOptions.Create();
        var command = new Command(
            "validate",
            "Check workflow definitions against the format and the registered steps; prints every problem as " +
            "file:line:column: code: path: message. Exit 1 when any file has a problem.") { files, json };
        options.AddLocationsTo(command);
        Set(command, (parse, _) =>
        {
            var configuration = options.Configuration(parse);
            var paths = parse.GetValue(files) is { Length: > 0 } given
                ? given.Select(f => f.FullName).ToList()
                : [.. WorkflowRepository.DefinitionFiles(WorkflowHost.DefinitionsDirectory(configuration))];
            if (paths.Count == 0)
            {
                throw new CommandAction.InvalidInputException($"no definition files in {WorkflowHost.DefinitionsDirectory(configuration)}");
            }

            var (provider, catalog) = WorkflowHost.OpenCatalog(configuration);
            using (provider)
            {
                var results = new List<(string File, string? Name, IReadOnlyList<WorkflowDiagnostic> Diagnostics)>();
                foreach (var path in paths)
                {
                    if (!File.Exists(path))
                    {
                        throw new CommandAction.InvalidInputException($"'{path}' does not exist");
                    }

                    var (definition, diagnostics) = WorkflowDocument.Load(File.ReadAllText(path), path, catalog);
                    results.Add((path, definition?.Name, diagnostics));
                }

                var ui = ConsoleUi.Create(parse.GetValue(json));
                if (ui.Json)
                {
                    ui.WriteJson(results.Select(r => new { r.File, Workflow = r.Name, Valid = r.Diagnostics.Count == 0, Problems = r.Diagnostics }));
                }
                else
                {
                    // Plain lines, never wrapped: file:line:column: code: path: message, as compilers print them (editors and grep read them).
                    foreach (var (file, name, diagnostics) in results)
                    {
                        Console.Out.WriteLine(diagnostics.Count == 0 ? $"ok     {file} ({name})" : $"error  {file}: {diagnostics.Count} problem(s)");
                        foreach (var d in diagnostics)
                        {
                            Console.Out.WriteLine($"  {d}");
                        }
                    }
                }

                return Task.FromResult(results.All(r => r.Diagnostics.Count == 0) ? ExitCodes.Ok : ExitCodes.InvalidInput);
            }
        });
        return command;
    }

    private static Command CreateList()
    {
        var json = CommonOptions.Json();
        var options = TrackingOptions.Create();
        var command = new Command("list", "List the loaded workflows: schedule, next scheduled run, last run, steps.") { json };
        options.AddLocationsTo(command);
        Set(command, async (parse, cancellationToken) =>
        {
            await using var host = await WorkflowHost.StartAsync(options.Configuration(parse), WorkflowHostRole.Client, cancellationToken: cancellationToken);
            var rows = new List<(WorkflowEntry Entry, DateTimeOffset? Next, WorkflowRun? Last)>();
            foreach (var entry in host.Engine.Workflows)
            {
                var recent = await host.Engine.ListRunsAsync(new RunQuery { Workflow = entry.Name, Limit = 1 }, cancellationToken);
                var last = recent.Count > 0 ? recent[0] : null;
                rows.Add((entry, host.Engine.NextScheduledRun(entry.Name), last));
            }

            var ui = ConsoleUi.Create(parse.GetValue(json));
            if (ui.Json)
            {
                ui.WriteJson(rows.Select(r => new
                {
                    r.Entry.Name,
                    r.Entry.Definition.Metadata.Description,
                    r.Entry.File,
                    r.Entry.Hash,
                    Schedule = r.Entry.Definition.Schedule is { } s ? new { s.Cron, s.TimeZone } : null,
                    NextScheduledRun = r.Next,
                    LastRun = r.Last is { } l ? new { l.Id, Status = Name(l.Status), l.CreatedAt, l.FinishedAt } : null,
                    Steps = r.Entry.Definition.Steps.Select(s => s.Id),
                }));
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("workflow", "schedule", "next run", "last run", "steps");
            foreach (var (entry, next, last) in rows)
            {
                table.AddRow(
                    Markup.Escape(entry.Name),
                    Markup.Escape(entry.Definition.Schedule is { } s ? $"{s.Cron} ({s.TimeZone})" : "manual"),
                    next?.ToString("u", CultureInfo.InvariantCulture) ?? "-",
                    last is null ? "-" : Markup.Escape($"{Name(last.Status)} {last.CreatedAt:u}"),
                    Markup.Escape(string.Join(" → ", entry.Definition.Steps.Select(s => s.Id))));
            }

            ui.Out.Write(table);
            foreach (var problem in host.Engine.DefinitionProblems)
            {
                ui.Status.MarkupLine($"[yellow]left out:[/] {Markup.Escape(problem.ToString())}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateRun()
    {
        var name = new Argument<string>("workflow") { Description = "The workflow's name (metadata.name), e.g. weekly-retrain." };
        var parameters = new Option<string[]>("--param", "-p")
        {
            Description = "A parameter override, name=value (repeatable); typed by the parameter's declared type (arrays and objects as JSON).",
            AllowMultipleArgumentsPerToken = false,
        };
        var wait = new Option<bool>("--wait") { Description = "Wait for the run to end and exit 2 unless it succeeded (always so in the Local profile)." };
        var json = CommonOptions.Json();
        var options = TrackingOptions.Create();
        var command = new Command("run", "Start a run of a workflow now (a manual trigger), optionally waiting for it with live step status.") { name, parameters, wait, json };
        options.AddLocationsTo(command);
        Set(command, async (parse, cancellationToken) =>
        {
            await using var host = await WorkflowHost.StartAsync(options.Configuration(parse), WorkflowHostRole.Runner, cancellationToken: cancellationToken);
            var entry = host.Engine.GetWorkflow(parse.GetValue(name)!);
            var overrides = ParameterBinder.FromStrings(entry.Definition, ParseParameters(parse.GetValue(parameters) ?? []));
            var ui = ConsoleUi.Create(parse.GetValue(json));
            var started = await host.Engine.StartRunAsync(
                new StartRunRequest { Workflow = entry.Name, Parameters = overrides, Trigger = new RunTrigger(TriggerKinds.Manual, Environment.UserName, "buddies workflow run") },
                cancellationToken);
            if (!parse.GetValue(wait) && !host.RunsJobs)
            {
                // Scriptable: the run id alone on stdout ('buddies workflow show ID' follows it up).
                Console.Error.WriteLine($"run {started.Run.Id} of {entry.Name} queued ({host.Profile} profile); follow it with 'buddies workflow show {started.Run.Id}'");
                if (ui.Json)
                {
                    ui.WriteJson(started.Run);
                }
                else
                {
                    ui.Out.WriteLine(started.Run.Id.ToString());
                }

                return ExitCodes.Ok;
            }

            ui.Note($"run [bold]{started.Run.Id}[/] of [bold]{Markup.Escape(entry.Name)}[/] started ({host.Profile} profile)");
            return await FollowAsync(host.Engine, started.Run.Id, ui, cancellationToken);
        });
        return command;
    }

    private static Command CreateRuns()
    {
        var workflow = new Option<string?>("--workflow", "-w") { Description = "Only runs of this workflow." };
        var status = new Option<string?>("--status") { Description = "Only runs with this status: pending, running, succeeded, failed, cancelled." };
        status.AcceptOnlyFromAmong("pending", "running", "succeeded", "failed", "cancelled");
        var limit = new Option<int>("--limit") { Description = "At most this many runs (newest first).", DefaultValueFactory = _ => 20 };
        var json = CommonOptions.Json();
        var options = TrackingOptions.Create();
        var command = new Command("runs", "List workflow runs, newest first.") { workflow, status, limit, json };
        options.AddLocationsTo(command);
        Set(command, async (parse, cancellationToken) =>
        {
            await using var host = await WorkflowHost.StartAsync(options.Configuration(parse), WorkflowHostRole.Client, cancellationToken: cancellationToken);
            var query = new RunQuery
            {
                Workflow = parse.GetValue(workflow),
                Statuses = parse.GetValue(status) is { } s ? [Enum.Parse<RunStatus>(s, ignoreCase: true)] : null,
                Limit = Math.Clamp(parse.GetValue(limit), 1, 1000),
            };
            var runs = await host.Engine.ListRunsAsync(query, cancellationToken);
            var ui = ConsoleUi.Create(parse.GetValue(json));
            if (ui.Json)
            {
                ui.WriteJson(runs);
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("run", "workflow", "status", "trigger", "created", "took");
            foreach (var run in runs)
            {
                table.AddRow(
                    run.Id.ToString(),
                    Markup.Escape(run.Workflow),
                    StatusMarkup(Name(run.Status)),
                    Markup.Escape(run.Trigger.Kind),
                    run.CreatedAt.ToString("u", CultureInfo.InvariantCulture),
                    Took(run.StartedAt, run.FinishedAt));
            }

            ui.Out.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateShow()
    {
        var id = RunIdArgument();
        var logs = new Option<bool>("--logs") { Description = "Print each step's log." };
        var json = CommonOptions.Json();
        var options = TrackingOptions.Create();
        var command = new Command("show", "Show a run: parameters, each step's status, attempt, time, outputs or error (and logs with --logs).") { id, logs, json };
        options.AddLocationsTo(command);
        Set(command, async (parse, cancellationToken) =>
        {
            await using var host = await WorkflowHost.StartAsync(options.Configuration(parse), WorkflowHostRole.Client, cancellationToken: cancellationToken);
            var details = await host.Engine.GetRunAsync(parse.GetValue(id), cancellationToken);
            var ui = ConsoleUi.Create(parse.GetValue(json));
            if (ui.Json)
            {
                ui.WriteJson(RunView.From(details));
            }
            else
            {
                WriteDetails(ui, details, parse.GetValue(logs));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateCancel()
    {
        var id = RunIdArgument();
        var options = TrackingOptions.Create();
        var command = new Command("cancel", "Cancel an active run: waiting steps are cancelled at once, running steps within seconds.") { id };
        options.AddLocationsTo(command);
        Set(command, async (parse, cancellationToken) =>
        {
            await using var host = await WorkflowHost.StartAsync(options.Configuration(parse), WorkflowHostRole.Client, cancellationToken: cancellationToken);
            var run = await host.Engine.CancelRunAsync(parse.GetValue(id), $"cancelled by {Environment.UserName} (buddies workflow cancel)", cancellationToken);
            Console.WriteLine($"run {run.Id} {Name(run.Status)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateRetry()
    {
        var id = RunIdArgument();
        var wait = new Option<bool>("--wait") { Description = "Wait for the run to end (always so in the Local profile)." };
        var json = CommonOptions.Json();
        var options = TrackingOptions.Create();
        var command = new Command(
            "retry",
            "Resume a failed or cancelled run from its failed steps; steps that succeeded keep their results and are not run again.") { id, wait, json };
        options.AddLocationsTo(command);
        Set(command, async (parse, cancellationToken) =>
        {
            await using var host = await WorkflowHost.StartAsync(options.Configuration(parse), WorkflowHostRole.Runner, cancellationToken: cancellationToken);
            var run = await host.Engine.RetryRunAsync(parse.GetValue(id), cancellationToken);
            var ui = ConsoleUi.Create(parse.GetValue(json));
            ui.Note($"run [bold]{run.Id}[/] resumed");
            return parse.GetValue(wait) || host.RunsJobs ? await FollowAsync(host.Engine, run.Id, ui, cancellationToken) : ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Follows a run until it ends, printing each step's changes as they happen; Ctrl+C stops following (in the Local
    /// profile that also stops the run's jobs, which resume on the next Local command that hosts them).
    /// </summary>
    internal static async Task<int> FollowAsync(WorkflowEngine engine, Guid runId, ConsoleUi ui, CancellationToken cancellationToken)
    {
        var details = await WatchAsync(engine, runId, ui, cancellationToken);
        if (ui.Json)
        {
            ui.WriteJson(RunView.From(details));
        }
        else
        {
            WriteDetails(ui, details, logs: details.Run.Status != RunStatus.Succeeded);
        }

        return details.Run.Status == RunStatus.Succeeded ? ExitCodes.Ok : ExitCodes.Failure;
    }

    /// <summary>Polls the run until it ends, writing a status line (to stderr) whenever a step starts, retries or ends.</summary>
    internal static async Task<RunDetails> WatchAsync(WorkflowEngine engine, Guid runId, ConsoleUi ui, CancellationToken cancellationToken)
    {
        var seen = new Dictionary<(string, int), (StepStatus, int)>();
        RunDetails details;
        while (true)
        {
            details = await engine.GetRunAsync(runId, cancellationToken);
            var changed = details.Steps
                .Where(s => s.Item == StepExecution.StepRow || s.Status != StepStatus.Succeeded)
                .OrderBy(s => s.FinishedAt ?? s.StartedAt ?? s.QueuedAt ?? DateTimeOffset.MaxValue);
            foreach (var step in changed)
            {
                var key = (step.StepId, step.Item);
                if (seen.TryGetValue(key, out var before) && before == (step.Status, step.Attempt))
                {
                    continue;
                }

                seen[key] = (step.Status, step.Attempt);
                var label = step.Item >= 0 ? $"{step.StepId}[{step.Item}]" : step.StepId;
                var extra = step.Status switch
                {
                    StepStatus.Succeeded => Took(step.StartedAt, step.FinishedAt),
                    StepStatus.Running => step.Attempt > 1 ? $"attempt {step.Attempt}" : "",
                    StepStatus.Pending when step.Attempt > 1 => $"retry {step.Attempt} queued: {step.Error}",
                    _ => step.Error ?? "",
                };
                ui.Note($"  {StatusMarkup(Name(step.Status), pad: 10)} [bold]{Markup.Escape(label)}[/] [grey]{Markup.Escape(extra)}[/]");
            }

            if (details.Run.Status.IsTerminal())
            {
                break;
            }

            await Task.Delay(500, cancellationToken);
        }

        return details;
    }

    internal static void WriteDetails(ConsoleUi ui, RunDetails details, bool logs)
    {
        var run = details.Run;
        ui.Out.MarkupLine($"run [bold]{run.Id}[/] · {Markup.Escape(run.Workflow)} · {StatusMarkup(Name(run.Status))} · trigger {Markup.Escape(run.Trigger.Kind)} · " +
            $"definition {run.DefinitionHash[..12]} · took {Took(run.StartedAt, run.FinishedAt)}");
        ui.Out.MarkupLine($"[grey]parameters {Markup.Escape(run.ParametersJson)}[/]");
        var table = new Table().AddColumns("step", "status", "attempt", "took", "outputs / error");
        foreach (var step in details.Steps.Where(s => s.Item == StepExecution.StepRow).OrderBy(s => s.StartedAt ?? s.FinishedAt ?? DateTimeOffset.MaxValue))
        {
            var items = step.ItemCount is { } n ? $" ×{n}" : "";
            table.AddRow(
                Markup.Escape(step.StepId + items),
                StatusMarkup(Name(step.Status)),
                step.Attempt.ToString(CultureInfo.InvariantCulture),
                Took(step.StartedAt, step.FinishedAt),
                Markup.Escape(Shorten(step.Status == StepStatus.Succeeded ? Scalars(step.OutputsJson) : step.Error ?? "", 200)));
        }

        ui.Out.Write(table);
        if (run.Error is { } error)
        {
            ui.Out.MarkupLine($"[red]{Markup.Escape(error)}[/]");
        }

        if (logs)
        {
            foreach (var step in details.Steps.Where(s => s.Logs.Length > 0))
            {
                ui.Out.MarkupLine($"[bold]── {Markup.Escape(step.Item >= 0 ? $"{step.StepId}[{step.Item}]" : step.StepId)} log[/]");
                ui.Out.WriteLine(step.Logs.TrimEnd());
            }
        }
    }

    /// <summary>Runs the action, reporting the engine's refusals (unknown workflow or run, bad parameters, a conflicting state) as invalid input.</summary>
    private static void Set(Command command, Func<ParseResult, CancellationToken, Task<int>> body) =>
        TrackedAction.Set(command, async (parse, cancellationToken) =>
        {
            try
            {
                return await body(parse, cancellationToken);
            }
            catch (Exception ex) when (ex is WorkflowNotFoundException or RunNotFoundException or WorkflowConflictException)
            {
                throw new CommandAction.InvalidInputException(ex.Message);
            }
            catch (WorkflowParameterException ex)
            {
                throw new CommandAction.InvalidInputException("bad parameters:\n  " + string.Join("\n  ", ex.Errors));
            }
        });

    private static Argument<Guid> RunIdArgument() => new("run") { Description = "The run's id (from 'buddies workflow runs')." };

    private static Dictionary<string, string> ParseParameters(IEnumerable<string> values)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var eq = value.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new CommandAction.InvalidInputException($"--param '{value}' must be name=value");
            }

            result[value[..eq].Trim()] = value[(eq + 1)..];
        }

        return result;
    }

    internal static string Name(RunStatus status) => status.ToString().ToLowerInvariant();

    internal static string Name(StepStatus status) => status == StepStatus.TimedOut ? "timed_out" : status.ToString().ToLowerInvariant();

    private static string StatusMarkup(string status, int pad = 0)
    {
        var text = status.PadRight(pad);
        return status switch
        {
            "succeeded" => $"[green]{text}[/]",
            "failed" or "timed_out" => $"[red]{text}[/]",
            "cancelled" => $"[yellow]{text}[/]",
            "skipped" => $"[grey]{text}[/]",
            "running" => $"[blue]{text}[/]",
            _ => text,
        };
    }

    private static string Took(DateTimeOffset? start, DateTimeOffset? end) =>
        start is { } s && end is { } e ? string.Create(CultureInfo.InvariantCulture, $"{(e - s).TotalSeconds:F1} s") : "-";

    /// <summary>A step's scalar outputs as <c>name=value</c> (numbers to 4 decimals, paths to their last two parts): the table's summary; <c>--json</c> has them all.</summary>
    private static string Scalars(string? outputsJson)
    {
        if (outputsJson is null || System.Text.Json.Nodes.JsonNode.Parse(outputsJson) is not System.Text.Json.Nodes.JsonObject outputs)
        {
            return "";
        }

        var parts = new List<string>();
        foreach (var (key, value) in outputs)
        {
            if (value is not System.Text.Json.Nodes.JsonValue scalar)
            {
                continue;
            }

            var text = scalar.GetValueKind() switch
            {
                System.Text.Json.JsonValueKind.Number when scalar.TryGetValue<long>(out var l) => l.ToString(CultureInfo.InvariantCulture),
                System.Text.Json.JsonValueKind.Number => scalar.GetValue<double>().ToString("0.####", CultureInfo.InvariantCulture),
                System.Text.Json.JsonValueKind.String when scalar.GetValue<string>() is { } str && Path.IsPathRooted(str) =>
                    "…/" + Path.GetFileName(Path.GetDirectoryName(str)) + "/" + Path.GetFileName(str),
                System.Text.Json.JsonValueKind.String => Shorten(scalar.GetValue<string>(), 16),
                _ => scalar.ToJsonString(),
            };
            parts.Add($"{key}={text}");
        }

        return string.Join(" ", parts);
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
