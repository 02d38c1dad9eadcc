using Microsoft.Extensions.Options;

namespace SpotifyBuddies.Infrastructure.Artifacts;

/// <summary>Source-generated validation of <see cref="LocalArtifactOptions"/> (DataAnnotations + <see cref="LocalArtifactOptions.Validate"/>).</summary>
[OptionsValidator]
public sealed partial class LocalArtifactOptionsValidator : IValidateOptions<LocalArtifactOptions>;
