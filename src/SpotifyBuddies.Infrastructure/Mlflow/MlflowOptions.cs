using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SpotifyBuddies.Infrastructure.Mlflow;

/// <summary>The MLflow tracking server (configuration section <c>Mlflow</c>).</summary>
public sealed class MlflowOptions : IValidatableObject
{
    public const string SectionName = "Mlflow";

    /// <summary>The server's base URL, e.g. <c>http://mlflow:5000/</c> (a path prefix is kept). The server must run with
    /// <c>--serve-artifacts</c> for run artifacts to go through it.</summary>
    [Required(ErrorMessage = "Mlflow:TrackingUri is required (e.g. http://localhost:5000).")]
    public string TrackingUri { get; set; } = string.Empty;

    /// <summary>Sent as <c>Authorization: Bearer …</c> (MLFLOW_TRACKING_TOKEN). Not with <see cref="Username"/>.</summary>
    public string? Token { get; set; }

    /// <summary>Basic authentication (MLFLOW_TRACKING_USERNAME/PASSWORD), with <see cref="Password"/>.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>The longest one API call may take, retries included.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Mlflow:Timeout must be between 1 s and 1 h.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>The longest one artifact upload or download may take, retries included.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Mlflow:ArtifactTimeout must be between 1 s and 1 day.")]
    public TimeSpan ArtifactTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Retries of an idempotent call after 408, 429, 502, 503, 504 or a transport error (0 = none).</summary>
    [Range(0, 10, ErrorMessage = "Mlflow:MaxRetries must be between 0 and 10.")]
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry's delay; later ones back off exponentially, with jitter (a Retry-After header wins).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Mlflow:RetryDelay must be between 0 and 60 s.")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The run's <c>user_id</c> and tag <c>mlflow.user</c>; null or empty sends neither.</summary>
    public string? UserId { get; set; } = Environment.UserName;

    /// <summary><see cref="TrackingUri"/> as an absolute URI ending with '/'.</summary>
    public Uri BaseUri => new(TrackingUri.EndsWith('/') ? TrackingUri : TrackingUri + "/", UriKind.Absolute);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(TrackingUri)
            && (!Uri.TryCreate(TrackingUri, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            yield return new ValidationResult($"Mlflow:TrackingUri must be an absolute http:// or https:// URL, not '{TrackingUri}'.", [nameof(TrackingUri)]);
        }

        if (!string.IsNullOrEmpty(Token) && !string.IsNullOrEmpty(Username))
        {
            yield return new ValidationResult("Mlflow: set either Token (bearer) or Username/Password (basic), not both.", [nameof(Token), nameof(Username)]);
        }

        if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult("Mlflow:Username and Mlflow:Password go together: set both or neither.", [nameof(Username), nameof(Password)]);
        }
    }
}

/// <summary>Source-generated validation of <see cref="MlflowOptions"/> (DataAnnotations + <see cref="MlflowOptions.Validate"/>).</summary>
[OptionsValidator]
public sealed partial class MlflowOptionsValidator : IValidateOptions<MlflowOptions>;
