using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace SpotifyBuddies.Api.Security;

/// <summary>
/// The API keys that may call the admin endpoints and open the Hangfire dashboard (configuration section <c>Api</c>,
/// e.g. <c>Api__Keys__0</c> in the environment). No keys: every admin request is refused.
/// </summary>
public sealed class ApiKeyOptions : IValidatableObject
{
    public const string SectionName = "Api";

    /// <summary>Keys shorter than this are refused at start: an API key is a secret, not a password to remember.</summary>
    public const int MinimumKeyLength = 16;

    public List<string> Keys { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < Keys.Count; i++)
        {
            var key = Keys[i] ?? "";
            // Never echo a key: name it by its index.
            if (key.Length < MinimumKeyLength)
            {
                yield return new ValidationResult(
                    string.Create(CultureInfo.InvariantCulture, $"Api:Keys:{i} must be at least {MinimumKeyLength} characters long (it has {key.Length})."),
                    [nameof(Keys)]);
            }
            else if (key.Trim().Length != key.Length)
            {
                yield return new ValidationResult(
                    string.Create(CultureInfo.InvariantCulture, $"Api:Keys:{i} starts or ends with white space."),
                    [nameof(Keys)]);
            }
        }
    }
}

/// <summary>Source-generated validation of <see cref="ApiKeyOptions"/>.</summary>
[OptionsValidator]
public sealed partial class ApiKeyOptionsValidator : IValidateOptions<ApiKeyOptions>;
