using System.Text.Json.Nodes;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Definitions;

namespace SpotifyBuddies.Workflows.Execution;

/// <summary>Running one step execution: what a background job does.</summary>
public sealed partial class WorkflowEngine
{
    /// <inheritdoc/>
    /// <remarks>
    /// The job does nothing unless the row still carries its dispatch token. A row already running with this token
    /// means the job was delivered again after its worker died: the step runs again and resumes from its own
    /// persisted state (steps are idempotent). A row already ended means only the advance after it was lost.
    /// On the host's shutdown token the step stops and the row stays running, so the background job system
    /// delivers the job again later.
    /// </remarks>
    public async Task RunStepAsync(StepDispatch dispatch, CancellationToken cancellationToken)
    {
        var row = await _store.GetStepAsync(dispatch.RunId, dispatch.StepId, dispatch.Item, cancellationToken);
        if (row is null || row.DispatchId != dispatch.DispatchId)
        {
            Log.DispatchSuperseded(_logger, dispatch.RunId, dispatch.StepId, dispatch.Item);
            return;
        }

        if (row.IsTerminal)
        {
            await AdvanceAsync(dispatch.RunId, cancellationToken);
            return;
        }

        var run = await _store.GetRunAsync(dispatch.RunId, cancellationToken) ?? throw new RunNotFoundException(dispatch.RunId);
        if (run.Status.IsTerminal())
        {
            return; // cancelled (its rows were cancelled with it) or ended
        }

        if (row.Status == StepStatus.Pending)
        {
            var started = row with { Status = StepStatus.Running, StartedAt = _time.GetUtcNow(), FinishedAt = null };
            if (!await _store.TryUpdateStepAsync(started, StepStatus.Pending, dispatch.DispatchId, cancellationToken))
            {
                return;
            }

            row = started;
        }
        else
        {
            await _store.AppendStepLogAsync(row.RunId, row.StepId, row.Item, $"--- {_time.GetUtcNow():u} delivered again after an interruption: resuming attempt {row.Attempt} ---\n", cancellationToken);
        }

        var definition = DefinitionOf(run).FindStep(row.StepId)
            ?? throw new InvalidOperationException($"run {run.Id}: its definition has no step '{row.StepId}'");
        var outcome = await ExecuteAsync(run, definition, row, cancellationToken);
        await RecordOutcomeAsync(definition, row, outcome, cancellationToken);
        await AdvanceAsync(row.RunId, cancellationToken);
    }

    private async Task<StepOutcome> ExecuteAsync(WorkflowRun run, StepDefinition definition, StepExecution row, CancellationToken shutdown)
    {
        var workDirectory = Path.GetFullPath(Path.Combine(
            _options.WorkRoot, "runs", run.Id.ToString("N"), row.Item == StepExecution.StepRow ? row.StepId : $"{row.StepId}-{row.Item}"));
        Directory.CreateDirectory(workDirectory);

        await using var log = new StepLogWriter(_store, row, _logger);
        using var timeout = new CancellationTokenSource();
        using var cancelled = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(shutdown, timeout.Token, cancelled.Token);
        if (definition.Timeout is { } limit)
        {
            timeout.CancelAfter(limit);
        }

        using var watcher = WatchForCancellation(run.Id, cancelled, linked.Token);
        log.Write($"{definition.Uses} · attempt {row.Attempt}{(row.Item >= 0 ? $" · item {row.Item}" : "")} · work directory {workDirectory}");
        try
        {
            var step = Catalog.Get(definition.Uses);
            var context = new StepContext
            {
                RunId = run.Id,
                Workflow = run.Workflow,
                StepId = row.StepId,
                Item = row.Item,
                Attempt = row.Attempt,
                Inputs = ParseObject(row.InputsJson),
                WorkDirectory = workDirectory,
                Log = log.Write,
            };
            var outputs = await step.ExecuteAsync(context, linked.Token);
            foreach (var declared in step.Descriptor.Outputs.Where(o => !outputs.ContainsKey(o.Name)))
            {
                outputs[declared.Name] = null; // an output the step had nothing for (e.g. no champion to compare with) reads as null
            }

            log.Write("succeeded");
            return StepOutcome.Success(outputs);
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            log.Write("interrupted: the worker is shutting down; the job will be delivered again");
            throw;
        }
        catch (OperationCanceledException) when (cancelled.IsCancellationRequested)
        {
            log.Write("cancelled with its run");
            return StepOutcome.Failure(StepStatus.Cancelled, "the run was cancelled");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            var message = $"timed out after {definition.Timeout}";
            log.Write(message);
            return StepOutcome.Failure(StepStatus.TimedOut, message);
        }
        catch (Exception ex)
        {
            log.Write($"failed: {ex.GetType().Name}: {ex.Message}");
            Log.StepFailed(_logger, ex, row.RunId, row.StepId, row.Item);
            return StepOutcome.Failure(StepStatus.Failed, ex.Message);
        }
    }

    /// <summary>Stores the outcome; a failure with attempts left becomes a delayed dispatch of the next attempt.</summary>
    private async Task RecordOutcomeAsync(StepDefinition definition, StepExecution row, StepOutcome outcome, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (outcome.Status == StepStatus.Succeeded)
        {
            await _store.TryUpdateStepAsync(
                row with { Status = StepStatus.Succeeded, OutputsJson = outcome.Outputs!.ToJsonString(), Error = null, FinishedAt = now },
                StepStatus.Running,
                row.DispatchId,
                cancellationToken);
            Log.StepFinished(_logger, row.RunId, row.StepId, nameof(StepStatus.Succeeded));
            return;
        }

        var retry = definition.Retry ?? new RetryPolicy();
        if (outcome.Status != StepStatus.Cancelled && row.Attempt < retry.Attempts)
        {
            var delay = retry.DelayBefore(row.Attempt + 1);
            var next = row with { Status = StepStatus.Pending, Attempt = row.Attempt + 1, Error = $"attempt {row.Attempt}: {outcome.Error}", StartedAt = null, FinishedAt = null };
            if (await _store.TryUpdateStepAsync(next, StepStatus.Running, row.DispatchId, cancellationToken))
            {
                await _store.AppendStepLogAsync(row.RunId, row.StepId, row.Item,
                    $"attempt {row.Attempt} of {retry.Attempts} {outcome.Status.ToString().ToLowerInvariant()}; attempt {row.Attempt + 1} in {delay}\n", cancellationToken);
                await DispatchAsync(next, delay, cancellationToken);
            }

            return;
        }

        await _store.TryUpdateStepAsync(
            row with { Status = outcome.Status, Error = outcome.Error, FinishedAt = now },
            StepStatus.Running,
            row.DispatchId,
            cancellationToken);
        Log.StepFinished(_logger, row.RunId, row.StepId, outcome.Status.ToString());
    }

    /// <summary>
    /// Polls the run's status while the step runs and cancels <paramref name="cancelled"/> when the run is cancelled.
    /// A poll that fails (the store is briefly unreachable) is logged and tried again at the next tick: it must never
    /// end the step, let alone the process (an exception escaping a timer callback would). Polls never overlap.
    /// </summary>
    private IDisposable WatchForCancellation(Guid runId, CancellationTokenSource cancelled, CancellationToken stop)
    {
        var polling = 0;
        var timer = _time.CreateTimer(
            _ =>
            {
                if (stop.IsCancellationRequested || Interlocked.Exchange(ref polling, 1) == 1)
                {
                    return;
                }

                try
                {
                    var run = _store.GetRunAsync(runId, stop).GetAwaiter().GetResult();
                    if (run?.Status == RunStatus.Cancelled)
                    {
                        cancelled.Cancel();
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
                {
                    // the step ended meanwhile
                }
                catch (Exception ex) // a timer callback must not throw: log it, and the next tick tries again
                {
                    Log.CancellationCheckFailed(_logger, ex, runId);
                }
                finally
                {
                    Volatile.Write(ref polling, 0);
                }
            },
            null,
            _options.CancellationPollInterval,
            _options.CancellationPollInterval);
        return timer;
    }

    private sealed record StepOutcome(StepStatus Status, JsonObject? Outputs, string? Error)
    {
        public static StepOutcome Success(JsonObject outputs) => new(StepStatus.Succeeded, outputs, null);

        public static StepOutcome Failure(StepStatus status, string error) => new(status, null, error);
    }
}
