using System.Globalization;
using SpotifyBuddies.Core.Pairing;
using SpotifyBuddies.Data.Preparation;

namespace SpotifyBuddies.Models.Pairing;

/// <summary>What <see cref="PairingPipeline.RunAsync(PairingRequest, IProgress{PairingProgress}?, CancellationToken)"/> reads, where it writes, and with which rules.</summary>
public sealed record PairingRequest
{
    /// <summary>A prepared dataset directory (<c>buddies data prepare</c>).</summary>
    public required string DatasetDir { get; init; }

    /// <summary>The output directory to create; refused when it exists and is not empty, unless <see cref="Force"/>.</summary>
    public required string OutputDir { get; init; }

    public PairingParameters Parameters { get; init; } = new();

    /// <summary>Engine name, one of <see cref="NeighbourSearchEngines.Names"/>.</summary>
    public string Engine { get; init; } = NeighbourSearchEngines.Exact;

    /// <summary>Engine-specific options (see <see cref="NeighbourSearchSettings.Options"/>).</summary>
    public IReadOnlyDictionary<string, string> EngineOptions { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Replace an existing output (only once the new one is complete).</summary>
    public bool Force { get; init; }

    /// <summary>Worker threads. Affects speed only, never the content.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Every problem with the request (empty when it can run).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>(Parameters.Validate());
        if (string.IsNullOrWhiteSpace(DatasetDir))
        {
            problems.Add("DatasetDir must be given.");
        }

        if (string.IsNullOrWhiteSpace(OutputDir))
        {
            problems.Add("OutputDir must be given.");
        }

        if (!string.IsNullOrWhiteSpace(DatasetDir) && !string.IsNullOrWhiteSpace(OutputDir)
            && string.Equals(Normalize(DatasetDir), Normalize(OutputDir), StringComparison.Ordinal))
        {
            problems.Add("OutputDir must not be the dataset directory.");
        }

        if (!NeighbourSearchEngines.Names.Contains(Engine, StringComparer.Ordinal))
        {
            problems.Add($"Engine must be one of {string.Join(", ", NeighbourSearchEngines.Names)}; got '{Engine}'.");
        }

        if (MaxDegreeOfParallelism < 1)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"MaxDegreeOfParallelism must be at least 1; got {MaxDegreeOfParallelism}."));
        }

        return problems;
    }

    private static string Normalize(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
}

/// <summary>Progress of one phase: <see cref="Done"/> of <see cref="Total"/> units (users or steps).</summary>
/// <remarks>Reported from worker threads; the receiver must be thread-safe.</remarks>
public sealed record PairingProgress(string Phase, long Done, long Total);

/// <summary>The outcome of a run: where the output is, what it holds, and how the run went.</summary>
public sealed record PairingResult
{
    /// <summary>The output directory (absolute).</summary>
    public required string OutputDir { get; init; }

    public required string ManifestPath { get; init; }

    /// <summary>The manifest's content hash: equal for equal content.</summary>
    public required string ContentHash { get; init; }

    /// <summary>The content hash of the prepared dataset it was derived from.</summary>
    public required string Parent { get; init; }

    public required string Engine { get; init; }

    public required IReadOnlyDictionary<string, long> Counts { get; init; }

    public required PairingStats Stats { get; init; }

    public required IReadOnlyList<string> Warnings { get; init; }

    public required IReadOnlyList<PhaseTiming> Timings { get; init; }
}
