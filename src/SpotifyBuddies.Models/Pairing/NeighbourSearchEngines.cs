namespace SpotifyBuddies.Models.Pairing;

/// <summary>How to build a neighbour-search engine: what every engine understands, plus engine-specific options.</summary>
public sealed record NeighbourSearchSettings
{
    /// <summary>Worker threads (speed only); -1 for all cores.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Seed of any random choice an engine makes (e.g. an ANN index's levels).</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Engine-specific options by name (e.g. <c>--engine-option ef=200</c>); engines reject names they do not know.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>The engine exists by name but is not part of this build.</summary>
public sealed class NeighbourSearchUnavailableException(string message) : Exception(message);

/// <summary>
/// Resolves an engine by its command-line name (<c>exact</c>, <c>approximate</c>). The approximate engine plugs in
/// by implementing the partial method <see cref="CreateApproximate"/> in its own file; until it does,
/// asking for it fails with <see cref="NeighbourSearchUnavailableException"/>.
/// </summary>
public static partial class NeighbourSearchEngines
{
    public const string Exact = ExactNeighbourSearch.EngineName;

    public const string Approximate = "approximate";

    /// <summary>Every engine name the command line accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = [Exact, Approximate];

    /// <summary>Builds the engine named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No engine has that name, or the exact engine got an option.</exception>
    /// <exception cref="NeighbourSearchUnavailableException">The approximate engine is not part of this build.</exception>
    public static INeighbourSearch Create(string name, NeighbourSearchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(settings);
        switch (name)
        {
            case Exact:
                if (settings.Options.Count > 0)
                {
                    throw new ArgumentException(
                        $"The exact engine takes no engine options (got {string.Join(", ", settings.Options.Keys)}).", nameof(settings));
                }

                return new ExactNeighbourSearch(settings.MaxDegreeOfParallelism);
            case Approximate:
                INeighbourSearch? engine = null;
                CreateApproximate(settings, ref engine);
                return engine ?? throw new NeighbourSearchUnavailableException(
                    "The approximate (ANN index) engine is not available in this build; use --engine exact.");
            default:
                throw new ArgumentException($"Unknown engine '{name}'. Engines: {string.Join(", ", Names)}.", nameof(name));
        }
    }

    /// <summary>Implemented by the approximate engine's file: sets <paramref name="engine"/> to a new instance.</summary>
    static partial void CreateApproximate(NeighbourSearchSettings settings, ref INeighbourSearch? engine);
}
