using System.Globalization;
using SpotifyBuddies.Models.Pairing.Approximate;

// The registry's partial class lives in SpotifyBuddies.Models.Pairing; this half plugs the approximate engine in.
namespace SpotifyBuddies.Models.Pairing;

public static partial class NeighbourSearchEngines
{
    /// <summary>
    /// Engine options the approximate engine understands (<c>--engine-option name=value</c>):
    /// <c>index</c> (file path), <c>ef</c> (efSearch), <c>m</c>, <c>ef-construction</c>, <c>dims</c>,
    /// <c>vectors</c> (spectral or hashing), <c>rebuild</c> (true/false), <c>verify</c> (true/false: content
    /// checksum on open).
    /// </summary>
    public static IReadOnlyList<string> ApproximateOptionNames { get; } = ["index", "ef", "m", "ef-construction", "dims", "vectors", "rebuild", "verify"];

    static partial void CreateApproximate(NeighbourSearchSettings settings, ref INeighbourSearch? engine)
    {
        var unknown = settings.Options.Keys.Where(k => !ApproximateOptionNames.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException(
                $"Unknown approximate engine option(s) {string.Join(", ", unknown)}. Options: {string.Join(", ", ApproximateOptionNames)}.",
                nameof(settings));
        }

        var options = new ApproximateSearchOptions
        {
            IndexPath = settings.Options.GetValueOrDefault("index"),
            MaxDegreeOfParallelism = settings.MaxDegreeOfParallelism,
            Seed = settings.Seed,
        };
        options = options with
        {
            EfSearch = Int(settings, "ef", options.EfSearch),
            M = Int(settings, "m", options.M),
            EfConstruction = Int(settings, "ef-construction", options.EfConstruction),
            Dimensions = Int(settings, "dims", options.Dimensions),
            Rebuild = Bool(settings, "rebuild", options.Rebuild),
            VerifyChecksum = Bool(settings, "verify", options.VerifyChecksum),
            VectorMethod = Method(settings, options.VectorMethod),
        };
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(settings));
        }

        engine = new ApproximateNeighbourSearch(options);
    }

    private static int Int(NeighbourSearchSettings settings, string name, int fallback) =>
        !settings.Options.TryGetValue(name, out var text) ? fallback
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
        : throw new ArgumentException($"Engine option {name} must be an integer; got '{text}'.", nameof(settings));

    private static UserVectorMethod Method(NeighbourSearchSettings settings, UserVectorMethod fallback) =>
        !settings.Options.TryGetValue("vectors", out var text) ? fallback
        : text switch
        {
            "spectral" => UserVectorMethod.Spectral,
            "hashing" => UserVectorMethod.Hashing,
            _ => throw new ArgumentException($"Engine option vectors must be spectral or hashing; got '{text}'.", nameof(settings)),
        };

    private static bool Bool(NeighbourSearchSettings settings, string name, bool fallback) =>
        !settings.Options.TryGetValue(name, out var text) ? fallback
        : bool.TryParse(text, out var value) ? value
        : throw new ArgumentException($"Engine option {name} must be true or false; got '{text}'.", nameof(settings));
}
