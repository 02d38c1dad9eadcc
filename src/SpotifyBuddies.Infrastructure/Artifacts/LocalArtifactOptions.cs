using System.ComponentModel.DataAnnotations;

namespace SpotifyBuddies.Infrastructure.Artifacts;

/// <summary>Where the Local profile keeps artifacts (configuration section <c>Artifacts:Local</c>).</summary>
public sealed class LocalArtifactOptions : IValidatableObject
{
    public const string SectionName = "Artifacts:Local";

    /// <summary>The root directory; created on first use. A relative path is resolved against the current directory.</summary>
    [Required]
    public string Root { get; set; } = string.Empty;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Root))
        {
            yield break; // [Required] reports it.
        }

        string? problem = null;
        if (Root.Contains('\0', StringComparison.Ordinal))
        {
            problem = "Root contains a NUL character.";
        }
        else
        {
            var full = Path.GetFullPath(Root);
            if (File.Exists(full))
            {
                problem = $"Root '{full}' is a file, not a directory.";
            }
            else if (Path.GetPathRoot(full) == full)
            {
                problem = $"Root '{full}' is a file-system root; use a directory of its own.";
            }
        }

        if (problem is not null)
        {
            yield return new ValidationResult(problem, [nameof(Root)]);
        }
    }
}
