using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SpotifyBuddies.Infrastructure.Tracking;

/// <summary>The local tracker (configuration section <c>Tracking:Local</c>): runs, metrics and the registry as files.</summary>
public sealed class LocalTrackerOptions : IValidatableObject
{
    public const string SectionName = "Tracking:Local";

    /// <summary>The directory the tracker owns (layout: <see cref="LocalTracker"/>); created when missing.</summary>
    [Required(ErrorMessage = "Tracking:Local:Root is required: the directory where the local tracker keeps experiments, runs and the registry.")]
    public string Root { get; set; } = string.Empty;

    /// <summary>Written as tag <c>mlflow.user</c> on new runs (unless the run sets it); null or empty writes none.</summary>
    public string? UserId { get; set; } = Environment.UserName;

    /// <summary>How long to wait for another process's lock on the same run, experiment list or model.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "01:00:00", ErrorMessage = "Tracking:Local:LockTimeout must be between 0.1 s and 1 h.")]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Root))
        {
            yield break; // [Required] reports it.
        }

        if (!Path.IsPathFullyQualified(Root))
        {
            yield return new ValidationResult($"Tracking:Local:Root must be an absolute path, not '{Root}'.", [nameof(Root)]);
        }
        else if (File.Exists(Root))
        {
            yield return new ValidationResult($"Tracking:Local:Root '{Root}' is a file; a directory is needed.", [nameof(Root)]);
        }
    }
}

/// <summary>Source-generated validation of <see cref="LocalTrackerOptions"/>.</summary>
[OptionsValidator]
public sealed partial class LocalTrackerOptionsValidator : IValidateOptions<LocalTrackerOptions>;
