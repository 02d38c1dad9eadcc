using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace SpotifyBuddies.Infrastructure.Postgres;

/// <summary>
/// One numbered schema change, <c>NNNN_name.sql</c>. The script may write <c>{schema}</c> for the configured
/// schema (substituted as a quoted identifier); it also runs with <c>search_path</c> set to that schema.
/// Scripts run inside a transaction, so statements that refuse one (<c>CREATE INDEX CONCURRENTLY</c>,
/// <c>VACUUM</c>) are not allowed.
/// </summary>
public sealed partial record Migration
{
    /// <summary>The placeholder that scripts use for the configured schema.</summary>
    public const string SchemaPlaceholder = "{schema}";

    /// <summary>Positive, unique; migrations apply in ascending order.</summary>
    public required int Version { get; init; }

    /// <summary>The part of the file name after <c>NNNN_</c>, without <c>.sql</c>.</summary>
    public required string Name { get; init; }

    public required string Script { get; init; }

    /// <summary>The file this migration comes from, e.g. <c>0001_init.sql</c>.</summary>
    public string FileName => string.Create(CultureInfo.InvariantCulture, $"{Version:D4}_{Name}.sql");

    /// <summary>
    /// Lower-case hex SHA-256 of the script with line endings normalised to LF, so a checkout with CRLF line
    /// endings has the same checksum as the one that applied it.
    /// </summary>
    public string Checksum => Convert.ToHexStringLower(
        SHA256.HashData(Encoding.UTF8.GetBytes(Script.ReplaceLineEndings("\n"))));

    /// <summary>Builds a migration from a file name of the form <c>NNNN_name.sql</c> and its contents.</summary>
    /// <exception cref="ArgumentException">The file name does not follow the pattern.</exception>
    public static Migration FromFile(string fileName, string script)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(script);

        var match = FileNamePattern().Match(fileName);
        if (!match.Success)
        {
            throw new ArgumentException(
                $"Migration file '{fileName}' must be named NNNN_name.sql (four digits, then letters, digits or '_').",
                nameof(fileName));
        }

        var version = int.Parse(match.Groups["version"].ValueSpan, CultureInfo.InvariantCulture);
        if (version == 0)
        {
            throw new ArgumentException($"Migration file '{fileName}': versions start at 0001.", nameof(fileName));
        }

        return new Migration { Version = version, Name = match.Groups["name"].Value, Script = script };
    }

    /// <summary>Returns the migrations ordered by version, or throws if a version repeats or is not positive.</summary>
    /// <exception cref="ArgumentException">A version is repeated or not positive.</exception>
    public static IReadOnlyList<Migration> InOrder(IEnumerable<Migration> migrations)
    {
        ArgumentNullException.ThrowIfNull(migrations);

        var ordered = migrations.OrderBy(m => m.Version).ToArray();
        foreach (var migration in ordered)
        {
            if (migration.Version <= 0)
            {
                throw new ArgumentException($"Migration '{migration.FileName}' has version {migration.Version}; versions must be positive.", nameof(migrations));
            }
        }

        for (var i = 1; i < ordered.Length; i++)
        {
            if (ordered[i].Version == ordered[i - 1].Version)
            {
                throw new ArgumentException(
                    $"Migrations '{ordered[i - 1].FileName}' and '{ordered[i].FileName}' share version {ordered[i].Version}.",
                    nameof(migrations));
            }
        }

        return ordered;
    }

    [GeneratedRegex(@"^(?<version>\d{4})_(?<name>[A-Za-z0-9_]+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNamePattern();
}
