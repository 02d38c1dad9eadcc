using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SpotifyBuddies.Core.Workflows;

namespace SpotifyBuddies.Workflows.Execution;

/// <summary>
/// A step's log: lines are time-stamped, written to the process log at once, and appended to the run store in
/// batches (every half second and when the step ends), so a chatty step does not make one store call per line.
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
        await FlushAsync(CancellationToken.None);
        _stop.Dispose();
    }

    private async Task FlushLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(FlushInterval, _stop.Token);
                await FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
            // stopping: DisposeAsync flushes the rest
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        var text = new System.Text.StringBuilder();
        while (_pending.TryDequeue(out var line))
        {
            text.Append(line);
        }

        if (text.Length > 0)
        {
            await _store.AppendStepLogAsync(_row.RunId, _row.StepId, _row.Item, text.ToString(), cancellationToken);
        }
    }
}
