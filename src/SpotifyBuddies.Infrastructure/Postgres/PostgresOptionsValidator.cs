using Microsoft.Extensions.Options;

namespace SpotifyBuddies.Infrastructure.Postgres;

/// <summary>Source-generated validation of <see cref="PostgresOptions"/> (DataAnnotations + <see cref="PostgresOptions.Validate"/>).</summary>
[OptionsValidator]
public sealed partial class PostgresOptionsValidator : IValidateOptions<PostgresOptions>;
