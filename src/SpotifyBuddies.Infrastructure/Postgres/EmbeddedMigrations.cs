using System.Reflection;

namespace SpotifyBuddies.Infrastructure.Postgres;

/// <summary>Loads the migrations embedded from <c>Postgres/Migrations/NNNN_name.sql</c>.</summary>
public static class EmbeddedMigrations
{
    private const string ResourcePrefix = "SpotifyBuddies.Infrastructure.Postgres.Migrations.";

    private static readonly Lazy<IReadOnlyList<Migration>> All = new(() => Load(typeof(EmbeddedMigrations).Assembly, ResourcePrefix));

    /// <summary>This assembly's migrations, in version order (read once, then cached).</summary>
    public static IReadOnlyList<Migration> Load() => All.Value;

    /// <summary>Every resource of <paramref name="assembly"/> whose name starts with <paramref name="resourcePrefix"/>, in version order.</summary>
    public static IReadOnlyList<Migration> Load(Assembly assembly, string resourcePrefix)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentException.ThrowIfNullOrEmpty(resourcePrefix);

        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(resourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Embedded resource '{resource}' could not be opened.");
            using var reader = new StreamReader(stream);
            migrations.Add(Migration.FromFile(resource[resourcePrefix.Length..], reader.ReadToEnd()));
        }

        return Migration.InOrder(migrations);
    }
}
