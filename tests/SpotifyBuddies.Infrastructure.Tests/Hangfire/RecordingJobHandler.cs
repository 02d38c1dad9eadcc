using System.Threading.Channels;
using SpotifyBuddies.Core.Workflows;

namespace SpotifyBuddies.Infrastructure.Tests.Hangfire;

/// <summary>An <see cref="IWorkflowJobHandler"/> that records what the jobs called, in order, with the time of each call.</summary>
public sealed class RecordingJobHandler : IWorkflowJobHandler
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Channel<(StepDispatch Dispatch, DateTimeOffset At)> _steps = Channel.CreateUnbounded<(StepDispatch, DateTimeOffset)>();
    private readonly Channel<string> _scheduled = Channel.CreateUnbounded<string>();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When true, a step job never returns until <see cref="Release"/>, and ignores its cancellation token:
    /// to the job system it looks like a process that hangs or died mid-step.</summary>
    public bool Hang { get; init; }

    public int StepCalls => _steps.Reader.Count;

    public async Task RunStepAsync(StepDispatch dispatch, CancellationToken cancellationToken)
    {
        await _steps.Writer.WriteAsync((dispatch, DateTimeOffset.UtcNow), CancellationToken.None);
        if (Hang)
        {
            await _release.Task;
        }
    }

    public async Task RunScheduledAsync(string workflow, CancellationToken cancellationToken) =>
        await _scheduled.Writer.WriteAsync(workflow, CancellationToken.None);

    /// <summary>The next step call, or a TimeoutException after a minute.</summary>
    public async Task<(StepDispatch Dispatch, DateTimeOffset At)> NextStepAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            return await _steps.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"No step job reached the handler within {Patience.TotalSeconds} s.");
        }
    }

    public void Release() => _release.TrySetResult();
}
