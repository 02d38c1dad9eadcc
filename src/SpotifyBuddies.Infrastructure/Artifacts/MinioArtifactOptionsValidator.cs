using Microsoft.Extensions.Options;

namespace SpotifyBuddies.Infrastructure.Artifacts;

/// <summary>Source-generated validation of <see cref="MinioArtifactOptions"/> (DataAnnotations + <see cref="MinioArtifactOptions.Validate"/>).</summary>
[OptionsValidator]
public sealed partial class MinioArtifactOptionsValidator : IValidateOptions<MinioArtifactOptions>;
