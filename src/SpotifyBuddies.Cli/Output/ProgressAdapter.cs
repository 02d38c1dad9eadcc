using SpotifyBuddies.Data.Inspection;
using SpotifyBuddies.Data.Preparation;
using SpotifyBuddies.Data.Synthetic;
using SpotifyBuddies.Models.Pairing;

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

    private sealed class Map<T>(IProgress<PhaseUpdate> target, Func<T, PhaseUpdate> map) : IProgress<T>
    {
        public void Report(T value) => target.Report(map(value));
    }
}
