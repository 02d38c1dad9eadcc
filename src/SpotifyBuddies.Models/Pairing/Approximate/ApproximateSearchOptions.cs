using System.Globalization;

namespace SpotifyBuddies.Models.Pairing.Approximate;

/// <summary>Settings of the <c>approximate</c> pairing engine (<see cref="ApproximateNeighbourSearch"/>).</summary>
public sealed record ApproximateSearchOptions
{
    /// <summary>
    /// The index file to reuse or (re)build. Null: build in memory for each search and keep no file.
    /// </summary>
    public string? IndexPath { get; init; }

    /// <summary>How libraries become dense vectors (<see cref="UserVectors"/>).</summary>
    public UserVectorMethod VectorMethod { get; init; } = UserVectorMethod.Spectral;

    /// <summary>Width of the user vectors (<see cref="UserVectors"/>). At least 1; a multiple of 16 is fastest.</summary>
    public int Dimensions { get; init; } = UserVectors.DefaultDimensions;

    /// <inheritdoc cref="AnnIndexOptions.M"/>
    public int M { get; init; } = AnnIndexOptions.DefaultM;

    /// <inheritdoc cref="AnnIndexOptions.EfConstruction"/>
    public int EfConstruction { get; init; } = AnnIndexOptions.DefaultEfConstruction;

    /// <summary>The speed/recall knob: query candidate list size (at least K + 1 is used for K neighbours).</summary>
    public int EfSearch { get; init; } = AnnIndexOptions.DefaultEfSearch;

    /// <summary>Seed of both the vectors (random test matrix or song hashing) and the layer assignment.</summary>
    public ulong Seed { get; init; } = UserVectors.DefaultSeed;

    /// <summary>Threads for building and searching; -1 means one per core.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Rebuild even when <see cref="IndexPath"/> holds a matching index.</summary>
    public bool Rebuild { get; init; }

    /// <summary>Check the content checksum when opening an existing index (one sequential read of the file).</summary>
    public bool VerifyChecksum { get; init; } = true;

    /// <summary>Every problem with the options (empty when valid), each naming the option.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (IndexPath is not null && string.IsNullOrWhiteSpace(IndexPath))
        {
            problems.Add($"{nameof(IndexPath)} must be null or a path; got an empty string.");
        }

        if (Dimensions is < 1 or > 65536)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{nameof(Dimensions)} must be in [1, 65536]; got {Dimensions}."));
        }

        if (VectorMethod is not (UserVectorMethod.Spectral or UserVectorMethod.Hashing))
        {
            problems.Add($"{nameof(VectorMethod)} must be {UserVectorMethod.Spectral} or {UserVectorMethod.Hashing}; got {VectorMethod}.");
        }

        problems.AddRange(ToIndexOptions().Validate());
        return problems;
    }

    /// <summary>The index part of these options.</summary>
    public AnnIndexOptions ToIndexOptions() => new()
    {
        M = M,
        EfConstruction = EfConstruction,
        EfSearch = EfSearch,
        Seed = Seed,
        MaxDegreeOfParallelism = MaxDegreeOfParallelism,
    };
}
