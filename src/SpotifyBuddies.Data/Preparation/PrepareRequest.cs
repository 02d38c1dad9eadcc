using SpotifyBuddies.Core.Preparation;
using SpotifyBuddies.Data.Formats;
using SpotifyBuddies.Data.Inspection;

namespace SpotifyBuddies.Data.Preparation;

/// <summary>What <see cref="DataPreparation.RunAsync"/> reads, where it writes, and with which rules.</summary>
public sealed record PrepareRequest
{
    /// <summary>Small enough that 16 threads finish within ~2% of each other on 100k users, large enough to amortise each block's overhead.</summary>
    public const int DefaultBlockSize = 256;

    public required RawDatasetPaths Inputs { get; init; }

    /// <summary>The dataset directory to create; refused when it exists and is not empty, unless <see cref="Force"/>.</summary>
    public required string OutputDir { get; init; }

    public PreparationParameters Parameters { get; init; } = new();

    /// <summary>Replace an existing dataset (only once the new one is complete).</summary>
    public bool Force { get; init; }

    public ReadOptions ReadOptions { get; init; } = ReadOptions.Strict;

    /// <summary>Users per unit of parallel work. Affects memory and speed only, never the content.</summary>
    public int BlockSize { get; init; } = DefaultBlockSize;

    /// <summary>Worker threads. Affects speed only, never the content.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Bytes of the ENTP file per parallel parsing chunk (speed only, never the content); tests make it small.</summary>
    internal long EntpChunkBytes { get; init; } = RawInputLoader.DefaultEntpChunkBytes;

    /// <summary>Every problem with the request (empty when it can run).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>(Parameters.Validate());
        if (string.IsNullOrWhiteSpace(OutputDir))
        {
            problems.Add("OutputDir must be given.");
        }

        if (BlockSize < 1)
        {
            problems.Add(FormattableString.Invariant($"BlockSize must be at least 1; got {BlockSize}."));
        }

        if (MaxDegreeOfParallelism < 1)
        {
            problems.Add(FormattableString.Invariant($"MaxDegreeOfParallelism must be at least 1; got {MaxDegreeOfParallelism}."));
        }

        return problems;
    }
}

/// <summary>Progress of one phase: <see cref="Done"/> of <see cref="Total"/> units (bytes, blocks, steps or files).</summary>
/// <remarks>Reported from worker threads; the receiver must be thread-safe.</remarks>
public sealed record PreparePhaseProgress(string Phase, long Done, long Total);

/// <summary>How long one phase took.</summary>
public sealed record PhaseTiming(string Phase, double Seconds);

/// <summary>The outcome of a run: where the dataset is, what it holds, and how the run went.</summary>
public sealed record PrepareResult
{
    /// <summary>The dataset directory (absolute).</summary>
    public required string OutputDir { get; init; }

    public required string ManifestPath { get; init; }

    /// <summary>The manifest's content hash: equal for equal content.</summary>
    public required string ContentHash { get; init; }

    public required IReadOnlyDictionary<string, long> Counts { get; init; }

    public required PreparationStats Stats { get; init; }

    public required IReadOnlyList<string> Warnings { get; init; }

    public required IReadOnlyList<PhaseTiming> Timings { get; init; }
}
