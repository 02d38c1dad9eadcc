using System.Diagnostics;
using System.Globalization;

namespace SpotifyBuddies.Workflows.Steps;

/// <summary>
/// Turns a capability's phase progress (phase, done, total) into step log lines: a line when a phase starts, when it
/// passes each quarter, and when it ends (with its seconds), so a long step shows where it is without flooding
/// the persisted log. Reports may come from worker threads.
/// </summary>
internal sealed class StepProgressLog<T>(Action<string> log, Func<T, (string Phase, long Done, long Total)> read) : IProgress<T>
{
    private readonly Lock _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private string? _phase;
    private TimeSpan _phaseStart;
    private int _quarter;

    public void Report(T value)
    {
        var (phase, done, total) = read(value);
        lock (_gate)
        {
            if (!string.Equals(phase, _phase, StringComparison.Ordinal))
            {
                EndPhase();
                _phase = phase;
                _phaseStart = _clock.Elapsed;
                _quarter = 0;
                log($"{phase}: started");
            }

            var quarter = total > 0 ? (int)Math.Min(4, done * 4 / total) : 0;
            if (quarter > _quarter && quarter < 4)
            {
                _quarter = quarter;
                log(string.Create(CultureInfo.InvariantCulture, $"{phase}: {done:N0}/{total:N0} ({done * 100 / total}%)"));
            }
        }
    }

    /// <summary>Logs the end of the last phase; call once the capability returns.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            EndPhase();
            _phase = null;
        }
    }

    private void EndPhase()
    {
        if (_phase is not null)
        {
            log(string.Create(CultureInfo.InvariantCulture, $"{_phase}: done in {(_clock.Elapsed - _phaseStart).TotalSeconds:F1} s"));
        }
    }
}
