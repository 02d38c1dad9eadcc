using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SpotifyBuddies.Core.Workflows;

namespace SpotifyBuddies.Workflows.Execution;

/// <summary>
/// A step's log: lines are time-stamped, written to the process log at once, and appended to the run store in
/// batches (every half second and when the step ends), so a chatty step does not make one store call per line.
/// A batch the store refuses (briefly unreachable) is kept and sent with the next one; the log never fails the step.
/// </summary>
internal sealed class StepLogWriter : IAsyncDisposable
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(500);

    private readonly IWorkflowRunStore _store;
    private readonly StepExecution _row;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<string> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _flusher;
    private readonly System.Text.StringBuilder _unsent = new(); // touched by the flush loop, then by DisposeAsync after it ended

    public StepLogWriter(IWorkflowRunStore store, StepExecution row, ILogger logger)
    {
        _store = store;
        _row = row;
        _logger = logger;
        _flusher = Task.Run(FlushLoopAsync);
    }

    public void Write(string line)
    {
        Log.StepLog(_logger, _row.RunId, _row.StepId, _row.Item, line);
        _pending.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss} {line}\n");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _flusher;
        await TryFlushAsync();
        _stop.Dispose();
    }

    private async Task FlushLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(FlushInterval, _stop.Token);
                await TryFlushAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // stopping: DisposeAsync flushes the rest
        }
    }

    private async Task TryFlushAsync()
    {
        while (_pending.TryDequeue(out var line))
        {
            _unsent.Append(line);
        }

        if (_unsent.Length == 0)
        {
            return;
        }

        try
        {
            await _store.AppendStepLogAsync(_row.RunId, _row.StepId, _row.Item, _unsent.ToString(), CancellationToken.None);
            _unsent.Clear();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StepLogNotStored(_logger, ex, _row.RunId, _row.StepId, _row.Item, _unsent.Length);
        }
    }
}
