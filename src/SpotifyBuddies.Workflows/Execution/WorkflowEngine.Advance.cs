using System.Text.Json.Nodes;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Definitions;
using SpotifyBuddies.Workflows.Expressions;

namespace SpotifyBuddies.Workflows.Execution;

/// <summary>Advancing a run: deciding, under the run's lock, which steps are ready, skipped or finished.</summary>
public sealed partial class WorkflowEngine
{
    private async Task AdvanceAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var runLock = await _store.AcquireLockAsync(RunLockKey(runId), cancellationToken);
        var run = await _store.GetRunAsync(runId, cancellationToken);
        if (run is null || run.Status.IsTerminal())
        {
            return;
        }

        var definition = DefinitionOf(run);
        var state = new RunState(run, ParseObject(run.ParametersJson), await _store.GetStepsAsync(runId, cancellationToken));
        foreach (var step in TopologicalOrder(definition))
        {
            await AdvanceStepAsync(state, step, cancellationToken);
        }

        await SettleRunAsync(state, definition, cancellationToken);
    }

    private async Task AdvanceStepAsync(RunState state, StepDefinition step, CancellationToken cancellationToken)
    {
        if (state.Row(step.Id) is { } existing)
        {
            if (existing.ItemCount is not null && existing.Status == StepStatus.Running)
            {
                await AdvanceForeachAsync(state, step, existing, cancellationToken);
            }
            else
            {
                await EnsureDispatchedAsync(existing, cancellationToken);
            }

            return;
        }

        var needs = step.Needs.Select(n => state.Row(n.StepId)).ToList();
        if (state.HasFailure || needs.Any(n => n is null || !n.IsTerminal || IsFailure(n.Status)))
        {
            return; // not ready, or the run is failing: no new steps
        }

        var row = EvaluateStep(state, step, needs!);
        if (!await _store.TryInsertStepAsync(row, cancellationToken))
        {
            state.Set(await _store.GetStepAsync(row.RunId, row.StepId, row.Item, cancellationToken) ?? row);
            return;
        }

        state.Set(row);
        Log.StepCreated(_logger, state.Run.Id, step.Id, row.Status.ToString());
        if (row.Error is { } error && row.Status == StepStatus.Skipped)
        {
            await _store.AppendStepLogAsync(row.RunId, row.StepId, row.Item, error + "\n", cancellationToken);
        }

        if (row.ItemCount is not null && row.Status == StepStatus.Running)
        {
            await AdvanceForeachAsync(state, step, row, cancellationToken);
        }
        else
        {
            await EnsureDispatchedAsync(row, cancellationToken);
        }
    }

    /// <summary>The new row for a step whose needs have all ended well: skipped, a foreach parent, waiting for dispatch, or failed on an expression.</summary>
    private StepExecution EvaluateStep(RunState state, StepDefinition step, IReadOnlyList<StepExecution> needs)
    {
        var now = _time.GetUtcNow();
        var row = new StepExecution { RunId = state.Run.Id, StepId = step.Id, Status = StepStatus.Pending, Queue = Catalog.Find(step.Uses)?.Queue ?? StepQueues.Default };
        if (needs.FirstOrDefault(n => n.Status == StepStatus.Skipped) is { } skipped)
        {
            return row with { Status = StepStatus.Skipped, Error = $"skipped because the step it needs, '{skipped.StepId}', was skipped", FinishedAt = now };
        }

        try
        {
            var scope = state.Scope();
            if (step.If is { } condition && !WorkflowExpressions.EvaluateCondition(condition, scope))
            {
                return row with { Status = StepStatus.Skipped, Error = $"skipped: its condition '{condition}' was false", FinishedAt = now };
            }

            if (step.Foreach is { } foreachValue)
            {
                var items = WorkflowExpressions.Evaluate(foreachValue, scope) as JsonArray
                    ?? throw new StepInputException("foreach", "must evaluate to an array");
                var parent = row with { Status = StepStatus.Running, ItemCount = items.Count, InputsJson = items.ToJsonString(), StartedAt = now };
                return items.Count > 0 ? parent : parent with { Status = StepStatus.Succeeded, OutputsJson = CollectOutputs(step, []).ToJsonString(), FinishedAt = now };
            }

            return row with { InputsJson = EvaluateInputs(step, scope).ToJsonString() };
        }
        catch (Exception ex) when (ex is ExpressionException or StepInputException)
        {
            return row with { Status = StepStatus.Failed, Error = $"step '{step.Id}': {ex.Message}", FinishedAt = now };
        }
    }

    private async Task AdvanceForeachAsync(RunState state, StepDefinition step, StepExecution parent, CancellationToken cancellationToken)
    {
        var items = JsonNode.Parse(parent.InputsJson!)!.AsArray();
        var itemRows = Enumerable.Range(0, items.Count).Select(i => state.Row(step.Id, i)).ToArray();
        foreach (var itemRow in itemRows.OfType<StepExecution>())
        {
            await EnsureDispatchedAsync(itemRow, cancellationToken);
        }

        var active = itemRows.Count(r => r is not null && !r.IsTerminal);
        var anyFailed = itemRows.Any(r => r is not null && IsFailure(r.Status));
        var limit = step.MaxParallel ?? int.MaxValue;
        for (var i = 0; i < items.Count && !anyFailed && active < limit; i++)
        {
            if (itemRows[i] is not null)
            {
                continue;
            }

            var row = new StepExecution { RunId = state.Run.Id, StepId = step.Id, Item = i, Status = StepStatus.Pending, Queue = parent.Queue };
            try
            {
                row = row with { InputsJson = EvaluateInputs(step, state.Scope() with { Item = items[i]?.DeepClone(), Index = i }).ToJsonString() };
            }
            catch (Exception ex) when (ex is ExpressionException or StepInputException)
            {
                row = row with { Status = StepStatus.Failed, Error = $"step '{step.Id}' item {i}: {ex.Message}", FinishedAt = _time.GetUtcNow() };
                anyFailed = true;
            }

            if (await _store.TryInsertStepAsync(row, cancellationToken))
            {
                itemRows[i] = row;
                state.Set(row);
                await EnsureDispatchedAsync(row, cancellationToken);
                active += row.IsTerminal ? 0 : 1;
            }
        }

        var done = itemRows.All(r => r is not null && r.IsTerminal) || (anyFailed && active == 0);
        if (!done)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var failedItem = itemRows.FirstOrDefault(r => r is not null && IsFailure(r.Status));
        var finished = failedItem is not null
            ? parent with { Status = StepStatus.Failed, Error = $"item {failedItem.Item} {failedItem.Status.ToString().ToLowerInvariant()}: {failedItem.Error}", FinishedAt = now }
            : parent with
            {
                Status = StepStatus.Succeeded,
                OutputsJson = CollectOutputs(step, [.. itemRows.Select(r => ParseObject(r!.OutputsJson))]).ToJsonString(),
                FinishedAt = now,
            };
        if (await _store.TryUpdateStepAsync(finished, StepStatus.Running, parent.DispatchId, cancellationToken))
        {
            state.Set(finished);
            Log.StepFinished(_logger, state.Run.Id, step.Id, finished.Status.ToString());
        }
    }

    /// <summary>A foreach step's outputs: each output an array of the items' values, in item order.</summary>
    private JsonObject CollectOutputs(StepDefinition step, IReadOnlyList<JsonObject> itemOutputs)
    {
        var names = (Catalog.Find(step.Uses)?.Outputs.Select(o => o.Name) ?? [])
            .Concat(itemOutputs.SelectMany(o => o.Select(p => p.Key)))
            .Distinct(StringComparer.Ordinal);
        var collected = new JsonObject();
        foreach (var name in names)
        {
            collected[name] = new JsonArray([.. itemOutputs.Select(o => o[name]?.DeepClone())]);
        }

        return collected;
    }

    /// <summary>The step's inputs: its <c>with</c> values evaluated, the descriptor's defaults for the rest, each checked against its declared type.</summary>
    private JsonObject EvaluateInputs(StepDefinition step, ExpressionScope scope)
    {
        var descriptor = Catalog.Find(step.Uses) ?? throw new StepInputException("uses", $"names no registered step ('{step.Uses}')");
        var inputs = new JsonObject();
        foreach (var input in step.With)
        {
            inputs[input.Name] = WorkflowExpressions.Evaluate(input.Value, scope);
        }

        foreach (var port in descriptor.Inputs)
        {
            if (!inputs.ContainsKey(port.Name) || inputs[port.Name] is null)
            {
                if (port.Default is not null)
                {
                    inputs[port.Name] = port.Default.DeepClone();
                }
                else if (port.Required)
                {
                    throw new StepInputException(port.Name, "is required and has no value");
                }
            }
            else if (!ParameterBinder.Fits(inputs[port.Name], port.Type))
            {
                throw new StepInputException(port.Name, $"must be of type {port.Type.ToString().ToLowerInvariant()}, got {inputs[port.Name]!.ToJsonString()}");
            }
        }

        return inputs;
    }

    /// <summary>Dispatches a waiting row, or again a row whose dispatch was lost (claimed, but no job recorded in time).</summary>
    private async Task EnsureDispatchedAsync(StepExecution row, CancellationToken cancellationToken)
    {
        if (row.Status != StepStatus.Pending)
        {
            return;
        }

        if (row.DispatchId is { } lost && row.JobId is null && row.QueuedAt is { } queued && queued < _time.GetUtcNow() - _options.LostDispatchAfter)
        {
            var released = row with { DispatchId = null };
            if (!await _store.TryUpdateStepAsync(released, StepStatus.Pending, lost, cancellationToken))
            {
                return;
            }

            Log.DispatchLost(_logger, row.RunId, row.StepId, row.Item);
            row = released;
        }

        if (row.DispatchId is null)
        {
            await DispatchAsync(row, null, cancellationToken);
        }
    }

    /// <summary>
    /// Claims the row for a new dispatch (a fresh token, written before the job exists) and enqueues the job; the
    /// job id is recorded afterwards. A crash between the two leaves a row that <see cref="EnsureDispatchedAsync"/>
    /// dispatches again.
    /// </summary>
    private async Task DispatchAsync(StepExecution row, TimeSpan? delay, CancellationToken cancellationToken)
    {
        var dispatchId = Guid.NewGuid();
        var claimed = row with { DispatchId = dispatchId, JobId = null, QueuedAt = _time.GetUtcNow() + (delay ?? TimeSpan.Zero) };
        if (!await _store.TryUpdateStepAsync(claimed, StepStatus.Pending, row.DispatchId, cancellationToken))
        {
            return;
        }

        var jobId = _dispatcher.Dispatch(new StepDispatch(row.RunId, row.StepId, row.Item, dispatchId, row.Queue ?? StepQueues.Default), delay);
        await _store.TryUpdateStepAsync(claimed with { JobId = jobId }, StepStatus.Pending, dispatchId, cancellationToken);
        Log.StepDispatched(_logger, row.RunId, row.StepId, row.Item, row.Queue ?? StepQueues.Default, jobId);
    }

    /// <summary>Sets the run's status from its steps: failed once a step failed and nothing is still active, succeeded when every step ended well.</summary>
    private async Task SettleRunAsync(RunState state, WorkflowDefinition definition, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var stepRows = definition.Steps.Select(s => state.Row(s.Id)).ToList();
        var anyActive = state.Rows.Any(r => !r.IsTerminal);
        var failure = stepRows.FirstOrDefault(r => r is not null && IsFailure(r.Status));
        if (failure is not null && !anyActive)
        {
            var why = $"step '{failure.StepId}' {failure.Status.ToString().ToLowerInvariant()}: {failure.Error}";
            if (await _store.TryUpdateRunStatusAsync(state.Run.Id, [RunStatus.Pending, RunStatus.Running], RunStatus.Failed, now, why, cancellationToken))
            {
                Log.RunFinished(_logger, state.Run.Id, state.Run.Workflow, nameof(RunStatus.Failed));
            }
        }
        else if (failure is null && stepRows.All(r => r is not null && r.IsTerminal))
        {
            if (await _store.TryUpdateRunStatusAsync(state.Run.Id, [RunStatus.Pending, RunStatus.Running], RunStatus.Succeeded, now, null, cancellationToken))
            {
                Log.RunFinished(_logger, state.Run.Id, state.Run.Workflow, nameof(RunStatus.Succeeded));
            }
        }
        else if (state.Run.Status == RunStatus.Pending && state.Rows.Any())
        {
            await _store.TryUpdateRunStatusAsync(state.Run.Id, [RunStatus.Pending], RunStatus.Running, now, null, cancellationToken);
        }
    }

    private static bool IsFailure(StepStatus status) => status is StepStatus.Failed or StepStatus.TimedOut or StepStatus.Cancelled;

    /// <summary>The steps ordered so that each comes after the steps it needs (file order among independent steps).</summary>
    internal static IReadOnlyList<StepDefinition> TopologicalOrder(WorkflowDefinition definition)
    {
        var ordered = new List<StepDefinition>();
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var remaining = definition.Steps.ToList();
        while (remaining.Count > 0)
        {
            var next = remaining.FirstOrDefault(s => s.Needs.All(n => placed.Contains(n.StepId)))
                ?? throw new InvalidOperationException($"workflow '{definition.Name}' has cyclic or unknown needs (it should not have validated)");
            ordered.Add(next);
            placed.Add(next.Id);
            remaining.Remove(next);
        }

        return ordered;
    }

    /// <summary>A run's rows during one advance, kept current as rows are inserted and updated.</summary>
    private sealed class RunState(WorkflowRun run, JsonObject parameters, IReadOnlyList<StepExecution> rows)
    {
        private readonly Dictionary<(string StepId, int Item), StepExecution> _rows = rows.ToDictionary(r => (r.StepId, r.Item));

        public WorkflowRun Run { get; } = run;

        public IEnumerable<StepExecution> Rows => _rows.Values;

        /// <summary>A step (own row, not an item) has failed: no new steps start.</summary>
        public bool HasFailure => _rows.Values.Any(r => r.Item == StepExecution.StepRow && IsFailure(r.Status));

        public StepExecution? Row(string stepId, int item = StepExecution.StepRow) => _rows.GetValueOrDefault((stepId, item));

        public void Set(StepExecution row) => _rows[(row.StepId, row.Item)] = row;

        /// <summary>What expressions see: the parameters, each ended step's status and outputs, the run's id and workflow.</summary>
        public ExpressionScope Scope()
        {
            var steps = new JsonObject();
            foreach (var row in _rows.Values.Where(r => r.Item == StepExecution.StepRow))
            {
                steps[row.StepId] = new JsonObject
                {
                    ["status"] = row.Status.ToString().ToLowerInvariant(),
                    ["outputs"] = row.Status == StepStatus.Succeeded ? ParseObject(row.OutputsJson) : new JsonObject(),
                };
            }

            return new ExpressionScope
            {
                Params = (JsonObject)parameters.DeepClone(),
                Steps = steps,
                Run = new JsonObject { ["id"] = Run.Id.ToString(), ["workflow"] = Run.Workflow },
            };
        }
    }
}
