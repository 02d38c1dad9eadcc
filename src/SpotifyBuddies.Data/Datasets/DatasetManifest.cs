using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SpotifyBuddies.Data.Datasets;

/// <summary>
/// <c>manifest.json</c> of a dataset directory (ARCHITECTURE.md §4): what produced it, from what, with which
/// parameters, and every file with its row count, size, SHA-256 and columns. Written last, so a directory
/// with a manifest is complete.
/// </summary>
public sealed record DatasetManifest
{
    public const string FileName = "manifest.json";

    public const int CurrentSchemaVersion = 1;

    public required int SchemaVersion { get; init; }

    /// <summary>What the dataset is, e.g. <c>prepared-dataset</c>.</summary>
    public required string Kind { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required ToolInfo Tool { get; init; }

    /// <summary>The parameters that determine the content (not the thread count or block size).</summary>
    public required JsonObject Parameters { get; init; }

    public required IReadOnlyList<DatasetInput> Inputs { get; init; }

    public required IReadOnlyList<DatasetFile> Files { get; init; }

    /// <summary>Headline counts (users, playlists, triplets, …), by name.</summary>
    public required IReadOnlyDictionary<string, long> Counts { get; init; }

    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>
    /// SHA-256 over the content files' names and hashes (<see cref="ComputeContentHash"/>): equal for equal content,
    /// whatever the creation time or machine.
    /// </summary>
    public required string ContentHash { get; init; }

    /// <summary>The content hash of the dataset this one was derived from, if any.</summary>
    public string? Parent { get; init; }

    /// <summary>How the run was executed (threads, block size, seconds per phase); does not affect the content.</summary>
    public JsonObject? Execution { get; init; }

    /// <summary>
    /// Hex SHA-256 of the lines <c>name TAB sha256 LF</c> of <paramref name="files"/>, ordered by name (ordinal).
    /// </summary>
    public static string ComputeContentHash(IEnumerable<DatasetFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var lines = files
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => $"{f.Name}\t{f.Sha256}\n");
        return FileHashing.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(string.Concat(lines)));
    }

    public async Task WriteAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        await JsonSerializer.SerializeAsync(stream, this, DatasetJsonContext.Default.DatasetManifest, cancellationToken);
        await stream.WriteAsync("\n"u8.ToArray(), cancellationToken);
    }

    public static async Task<DatasetManifest> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync(stream, DatasetJsonContext.Default.DatasetManifest, cancellationToken)
            ?? throw new InvalidDataException($"'{path}' holds no manifest.");
    }

    /// <summary>The entry for <paramref name="name"/>.</summary>
    public DatasetFile FileNamed(string name) =>
        Files.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal))
        ?? throw new KeyNotFoundException($"The manifest lists no file '{name}'.");
}

/// <summary>The program that wrote a dataset.</summary>
public sealed record ToolInfo(string Name, string Version);

/// <summary>One input file, identified by content.</summary>
public sealed record DatasetInput
{
    /// <summary><c>mpd</c>, <c>entp</c> or <c>msd</c> (or another dataset kind).</summary>
    public required string Role { get; init; }

    public required string Path { get; init; }

    public required long Bytes { get; init; }

    public required string Sha256 { get; init; }
}

/// <summary>One file of the dataset.</summary>
public sealed record DatasetFile
{
    /// <summary>Path relative to the dataset directory, with '/' separators.</summary>
    public required string Name { get; init; }

    /// <summary><c>parquet</c>, <c>int32-le</c> (raw row-major little-endian int32), <c>json</c>, <c>markdown</c> or <c>svg</c>.</summary>
    public required string Format { get; init; }

    public required long Bytes { get; init; }

    public required string Sha256 { get; init; }

    /// <summary>Rows of a table or a raw matrix; null for documents.</summary>
    public long? Rows { get; init; }

    /// <summary>[rows, columns] of a raw matrix.</summary>
    public IReadOnlyList<long>? Shape { get; init; }

    public IReadOnlyList<DatasetColumn>? Columns { get; init; }

    public string? Description { get; init; }
}

/// <summary>A column of a dataset file.</summary>
public sealed record DatasetColumn(string Name, string Type, string Description);

[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(DatasetManifest))]
internal sealed partial class DatasetJsonContext : JsonSerializerContext;
