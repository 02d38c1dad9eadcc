using SpotifyBuddies.Data.Inspection;
using SpotifyBuddies.Data.Preparation;
using SpotifyBuddies.Data.Synthetic;
using System.Diagnostics;
using System.Globalization;
using SpotifyBuddies.Models.Pairing;
using SpotifyBuddies.Models.Ranking;

namespace SpotifyBuddies.Cli.Output;

/// <summary>Maps each library's progress record onto the console's <see cref="PhaseUpdate"/>.</summary>
internal static class ProgressAdapter
{
    public static IProgress<SynthPhaseProgress> From(IProgress<PhaseUpdate> target) =>
        new Map<SynthPhaseProgress>(target, p => new PhaseUpdate(p.Phase, p.Done, p.Total));

    public static IProgress<InspectProgress> FromInspect(IProgress<PhaseUpdate> target) =>
        new Map<InspectProgress>(target, p => new PhaseUpdate(p.Phase, p.Done, p.Total));

    public static IProgress<PreparePhaseProgress> FromPrepare(IProgress<PhaseUpdate> target) =>
        new Map<PreparePhaseProgress>(target, p => new PhaseUpdate(p.Phase, p.Done, p.Total));

    public static IProgress<PairingProgress> FromPairing(IProgress<PhaseUpdate> target) =>
        new Map<PairingProgress>(target, p => new PhaseUpdate(p.Phase, p.Done, p.Total));

    /// <summary>Training progress, with the live triplets/s of each epoch as the phase's detail.</summary>
    public static IProgress<BprProgress> FromTraining(IProgress<PhaseUpdate> target) => new Training(target);

    private sealed class Training(IProgress<PhaseUpdate> target) : IProgress<BprProgress>
    {
        private readonly Lock _lock = new();
        private readonly Stopwatch _clock = new();
        private string? _phase;

        public void Report(BprProgress value)
        {
            string? detail = null;
            lock (_lock)
            {
                if (value.Phase.StartsWith(BprTraining.TrainPhasePrefix, StringComparison.Ordinal))
                {
                    if (_phase != value.Phase)
                    {
                        _phase = value.Phase;
                        _clock.Restart();
                    }

                    var seconds = _clock.Elapsed.TotalSeconds;
                    if (seconds > 0.2 && value.Done > 0)
                    {
                        detail = Rate(value.Done / seconds);
                    }
                }
            }

            target.Report(new PhaseUpdate(value.Phase, value.Done, value.Total) { Detail = detail });
        }

        private static string Rate(double perSecond) => perSecond >= 1e6
            ? string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1e6:F2}M triplets/s")
            : string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1e3:F0}k triplets/s");
    }

    private sealed class Map<T>(IProgress<PhaseUpdate> target, Func<T, PhaseUpdate> map) : IProgress<T>
    {
        public void Report(T value) => target.Report(map(value));
    }
}
