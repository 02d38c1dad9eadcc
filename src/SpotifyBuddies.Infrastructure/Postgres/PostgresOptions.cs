using System.ComponentModel.DataAnnotations;
using Npgsql;

namespace SpotifyBuddies.Infrastructure.Postgres;

/// <summary>Where the relational store lives (configuration section <c>Postgres</c>).</summary>
public sealed class PostgresOptions : IValidatableObject
{
    public const string SectionName = "Postgres";

    /// <summary>The schema our tables go in unless configured otherwise.</summary>
    public const string DefaultSchemaName = "buddies";

    /// <summary>An Npgsql connection string; the role needs CREATE on the database (or an existing schema it owns).</summary>
    [Required]
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// The schema holding our tables and <c>schema_migrations</c>: a plain lower-case identifier, so it can be
    /// substituted into migration scripts as is. Tests use a fresh random one per test class.
    /// </summary>
    [Required]
    [RegularExpression("^(?!pg_)[a-z_][a-z0-9_]{0,62}$",
        ErrorMessage = "SchemaName must be a lower-case identifier (letters, digits, '_'; at most 63 characters; not starting with 'pg_').")]
    public string SchemaName { get; set; } = DefaultSchemaName;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield break; // [Required] reports it.
        }

        string? problem = null;
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                problem = "ConnectionString has no Host.";
            }
        }
        catch (ArgumentException ex)
        {
            // Don't echo the string: it may carry a password.
            problem = $"ConnectionString is not a valid Npgsql connection string: {ex.Message}";
        }

        if (problem is not null)
        {
            yield return new ValidationResult(problem, [nameof(ConnectionString)]);
        }
    }
}
