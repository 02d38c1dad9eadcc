using Microsoft.Extensions.Configuration;
using SpotifyBuddies.Infrastructure.Artifacts;
using SpotifyBuddies.Infrastructure.Mlflow;
using SpotifyBuddies.Infrastructure.Tracking;

namespace SpotifyBuddies.Cli.Composition;

/// <summary>
/// The CLI's configuration, in layers where a later one wins: embedded defaults (<see cref="Defaults"/>), the optional
/// <c>buddies.json</c> next to <c>buddies.dll</c>, MLflow's own environment variables (<c>MLFLOW_TRACKING_URI</c>,
/// <c>MLFLOW_TRACKING_TOKEN</c>, <c>MLFLOW_TRACKING_USERNAME</c>/<c>PASSWORD</c>), environment variables prefixed
/// <c>BUDDIES_</c> with <c>__</c> between sections (<c>BUDDIES_MLFLOW__TRACKINGURI</c> is <c>Mlflow:TrackingUri</c>),
/// then the command line (<c>--profile</c>, <c>--artifacts</c>, <c>--tracking</c>, <c>--experiment</c>).
/// </summary>
/// <remarks>
/// The file is <c>buddies.json</c>, not <c>appsettings.json</c>, so it never collides with the API host's settings
/// when both binaries share a directory (the application image, a test project's output).
/// </remarks>
internal static class BuddiesConfiguration
{
    /// <summary>The optional settings file beside <c>buddies.dll</c>.</summary>
    public const string FileName = "buddies.json";

    public const string EnvironmentPrefix = "BUDDIES_";

    /// <summary><c>Local</c> or <c>Production</c> (<see cref="ProfileKind"/>).</summary>
    public const string Profile = "Profile";

    /// <summary>The experiment runs are recorded in (and <c>runs list</c> reads).</summary>
    public const string Experiment = "Tracking:Experiment";

    public const string LocalArtifactsRoot = LocalArtifactOptions.SectionName + ":Root";

    public const string LocalTrackingRoot = LocalTrackerOptions.SectionName + ":Root";

    public const string MlflowTrackingUri = MlflowOptions.SectionName + ":" + nameof(MlflowOptions.TrackingUri);

    public const string DefaultExperiment = "spotify-buddies";

    /// <summary>The embedded defaults: the Local profile under <c>.buddies/</c> (relative to the current directory).</summary>
    public static readonly IReadOnlyDictionary<string, string?> Defaults = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
    {
        [Profile] = nameof(ProfileKind.Local),
        [Experiment] = DefaultExperiment,
        [LocalArtifactsRoot] = Path.Combine(".buddies", "artifacts"),
        [LocalTrackingRoot] = Path.Combine(".buddies", "tracking"),
        [MinioArtifactOptions.SectionName + ":" + nameof(MinioArtifactOptions.Bucket)] = "buddies-artifacts",
    };

    /// <summary>MLflow's client variables, read below the <c>BUDDIES_</c> ones so that existing MLflow setups just work.</summary>
    private static readonly (string Variable, string Key)[] MlflowVariables =
    [
        ("MLFLOW_TRACKING_URI", MlflowTrackingUri),
        ("MLFLOW_TRACKING_TOKEN", MlflowOptions.SectionName + ":" + nameof(MlflowOptions.Token)),
        ("MLFLOW_TRACKING_USERNAME", MlflowOptions.SectionName + ":" + nameof(MlflowOptions.Username)),
        ("MLFLOW_TRACKING_PASSWORD", MlflowOptions.SectionName + ":" + nameof(MlflowOptions.Password)),
    ];

    /// <summary>Builds the layered configuration; <paramref name="commandLine"/> holds the options actually given.</summary>
    /// <exception cref="InvalidConfigurationException"><c>buddies.json</c> is not valid JSON.</exception>
    public static IConfigurationRoot Build(IReadOnlyDictionary<string, string?> commandLine)
    {
        var mlflow = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (variable, key) in MlflowVariables)
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value)
            {
                mlflow[key] = value;
            }
        }

        var file = Path.Combine(AppContext.BaseDirectory, FileName);
        try
        {
            return new ConfigurationBuilder()
                .AddInMemoryCollection(Defaults)
                .AddJsonFile(file, optional: true, reloadOnChange: false)
                .AddInMemoryCollection(mlflow)
                .AddEnvironmentVariables(EnvironmentPrefix)
                .AddInMemoryCollection(commandLine)
                .Build();
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException)
        {
            throw new InvalidConfigurationException($"{file} is not valid JSON: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
    }

    /// <summary>The environment variable that sets a configuration key: <c>Mlflow:TrackingUri</c> → <c>BUDDIES_MLFLOW__TRACKINGURI</c>.</summary>
    public static string VariableFor(string key) => EnvironmentPrefix + key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant();
}

/// <summary>The configuration cannot make a working profile; the message names every offending setting.</summary>
internal sealed class InvalidConfigurationException : Exception
{
    public InvalidConfigurationException(string message)
        : base(message)
    {
    }

    public InvalidConfigurationException()
    {
    }

    public InvalidConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
