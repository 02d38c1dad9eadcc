using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SpotifyBuddies.Infrastructure.Artifacts;
using SpotifyBuddies.Infrastructure.Mlflow;
using SpotifyBuddies.Infrastructure.Tracking;

namespace SpotifyBuddies.Cli.Composition;

/// <summary>Where artifacts and tracked runs live.</summary>
internal enum ProfileKind
{
    /// <summary>The embedded default: a local artifact directory and the local tracker (files), no server.</summary>
    Local,

    /// <summary>Artifacts (checkpoints) in MinIO; runs, metrics, run artifacts and the model registry in MLflow.</summary>
    Production,
}

/// <summary>What a command does with the profile, which decides the backends composed and the settings required.</summary>
internal enum TrackingUse
{
    /// <summary>Training with tracking: artifact store, tracker and registry.</summary>
    Training,

    /// <summary>Training with <c>--no-tracking</c>: the artifact store only.</summary>
    UntrackedTraining,

    /// <summary>Reading runs and models: the tracker and registry (Local: also the artifact store that holds run
    /// artifacts); the local tracker directory must exist already (nothing is created by reading).</summary>
    Reading,
}

/// <summary>
/// Turns the configuration into the backends of one profile with the Infrastructure registration helpers
/// (<see cref="ArtifactServiceCollectionExtensions"/>, <see cref="TrackingServiceCollectionExtensions.AddLocalTracking"/>,
/// <see cref="MlflowServiceCollectionExtensions.AddMlflowTracking"/>), validating every setting first so that a bad
/// configuration fails at start with messages naming the setting and the variable that sets it.
/// </summary>
internal static class ProfileComposition
{
    /// <summary>The profile the configuration selects.</summary>
    /// <exception cref="InvalidConfigurationException">Not <c>Local</c> or <c>Production</c> (any case).</exception>
    public static ProfileKind ReadProfile(IConfiguration configuration)
    {
        var value = configuration[BuddiesConfiguration.Profile]?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return ProfileKind.Local;
        }

        if (!value.All(char.IsAsciiLetter) || !Enum.TryParse<ProfileKind>(value, ignoreCase: true, out var profile))
        {
            throw new InvalidConfigurationException(
                $"Profile must be Local or Production, not '{value}' (set by --profile or {BuddiesConfiguration.VariableFor(BuddiesConfiguration.Profile)}).");
        }

        return profile;
    }

    /// <summary>Validates the settings <paramref name="use"/> needs and composes the backends.</summary>
    /// <exception cref="InvalidConfigurationException">Something is missing or invalid; the message lists every problem.</exception>
    public static TrackingBackends Open(IConfiguration configuration, TrackingUse use)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        var profile = AddBackends(services, configuration, use, out var localTrackingRoot);
        if (use == TrackingUse.Reading && localTrackingRoot is not null && !Directory.Exists(localTrackingRoot))
        {
            throw new InvalidConfigurationException(
                $"Local profile: there is no local tracker at '{localTrackingRoot}': nothing has been tracked there yet. " +
                $"Train with 'buddies train', or point at another one with --tracking DIR (or {BuddiesConfiguration.VariableFor(BuddiesConfiguration.LocalTrackingRoot)}).");
        }

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        try
        {
            // ValidateOnStart: the options the helpers bind themselves (e.g. Mlflow:Timeout, Tracking:Local:LockTimeout).
            provider.GetService<IStartupValidator>()?.Validate();
            return new TrackingBackends(profile, use, provider);
        }
        catch (OptionsValidationException ex)
        {
            provider.Dispose();
            throw StartupFailure(profile, [ex], ex);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            provider.Dispose();
            throw StartupFailure(profile, ex.InnerExceptions.OfType<OptionsValidationException>(), ex);
        }
    }

    /// <summary>
    /// Adds the profile's artifact store and tracker/registry (as <paramref name="use"/> needs them) to
    /// <paramref name="services"/>, after checking every setting they need; all problems are reported at once.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">A setting is missing or invalid.</exception>
    public static ProfileKind AddBackends(IServiceCollection services, IConfiguration configuration, TrackingUse use, out string? localTrackingRoot)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var profile = ReadProfile(configuration);
        var problems = new List<string>();
        localTrackingRoot = null;
        if (profile == ProfileKind.Local)
        {
            ComposeLocal(configuration, use, services, problems, out localTrackingRoot);
        }
        else
        {
            ComposeProduction(configuration, use, services, problems);
        }

        return problems.Count > 0 ? throw new InvalidConfigurationException(string.Join(Environment.NewLine, problems)) : profile;
    }

    private static InvalidConfigurationException StartupFailure(ProfileKind profile, IEnumerable<OptionsValidationException> failures, Exception cause)
    {
        var messages = failures.SelectMany(e => e.Failures.Select(f =>
        {
            var section = e.OptionsType == typeof(MlflowOptions) ? MlflowOptions.SectionName
                : e.OptionsType == typeof(LocalTrackerOptions) ? LocalTrackerOptions.SectionName
                : e.OptionsType.Name;
            return $"{profile} profile: {NameSetting(section, f)}";
        }));
        return new InvalidConfigurationException(string.Join(Environment.NewLine, messages), cause);
    }

    private static void ComposeLocal(IConfiguration configuration, TrackingUse use, IServiceCollection services, List<string> problems, out string? trackingRoot)
    {
        const string Profile = "Local profile";
        trackingRoot = null;

        // The local tracker keeps run artifacts in the artifact store, so every use needs it.
        if (LocalDirectory(configuration, BuddiesConfiguration.LocalArtifactsRoot, "--artifacts", problems) is { } artifactsRoot)
        {
            var options = new LocalArtifactOptions { Root = artifactsRoot };
            if (Validate(Profile, LocalArtifactOptions.SectionName, new LocalArtifactOptionsValidator().Validate(null, options), problems))
            {
                services.AddLocalArtifacts(options);
            }
        }

        if (use == TrackingUse.UntrackedTraining)
        {
            return;
        }

        trackingRoot = LocalDirectory(configuration, BuddiesConfiguration.LocalTrackingRoot, "--tracking", problems);
        if (trackingRoot is not null
            && Bind<LocalTrackerOptions>(configuration, LocalTrackerOptions.SectionName, Profile, problems) is { } tracker)
        {
            tracker.Root = trackingRoot;
            if (Validate(Profile, LocalTrackerOptions.SectionName, new LocalTrackerOptionsValidator().Validate(null, tracker), problems))
            {
                services.AddLocalTracking(trackingRoot);
            }
        }
    }

    private static void ComposeProduction(IConfiguration configuration, TrackingUse use, IServiceCollection services, List<string> problems)
    {
        const string Profile = "Production profile";
        if (use != TrackingUse.Reading)
        {
            // Checkpoints go to MinIO; reading runs needs no MinIO (run artifacts come through MLflow's proxy).
            var section = MinioArtifactOptions.SectionName;
            var missing = Required(configuration, section, Profile, problems,
                nameof(MinioArtifactOptions.Endpoint), nameof(MinioArtifactOptions.AccessKey),
                nameof(MinioArtifactOptions.SecretKey), nameof(MinioArtifactOptions.Bucket));
            if (Bind<MinioArtifactOptions>(configuration, section, Profile, problems) is { } minio && !missing
                && Validate(Profile, section, new MinioArtifactOptionsValidator().Validate(null, minio), problems))
            {
                services.AddMinioArtifacts(minio);
            }
        }

        if (use != TrackingUse.UntrackedTraining)
        {
            var section = MlflowOptions.SectionName;
            var missing = Required(configuration, section, Profile, problems, nameof(MlflowOptions.TrackingUri));
            if (Bind<MlflowOptions>(configuration, section, Profile, problems) is { } mlflow && !missing
                && Validate(Profile, section, new MlflowOptionsValidator().Validate(null, mlflow), problems))
            {
                services.AddMlflowTracking();
            }
        }
    }

    /// <summary>The absolute path a Local directory setting names, or null (with the problem added).</summary>
    private static string? LocalDirectory(IConfiguration configuration, string key, string option, List<string> problems)
    {
        var value = configuration[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"Local profile: {key} is required (pass {option} DIR or set {BuddiesConfiguration.VariableFor(key)}).");
            return null;
        }

        try
        {
            return Path.GetFullPath(value);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            problems.Add($"Local profile: {key} '{value}' is not a usable path: {ex.Message}");
            return null;
        }
    }

    /// <summary>Adds "is required" for each empty member; true when any was missing.</summary>
    private static bool Required(IConfiguration configuration, string section, string profile, List<string> problems, params string[] members)
    {
        var missing = false;
        foreach (var member in members)
        {
            var key = $"{section}:{member}";
            if (string.IsNullOrWhiteSpace(configuration[key]))
            {
                var mlflowVariable = key == BuddiesConfiguration.MlflowTrackingUri ? " or MLFLOW_TRACKING_URI" : "";
                problems.Add($"{profile}: {key} is required (set {BuddiesConfiguration.VariableFor(key)}{mlflowVariable}).");
                missing = true;
            }
        }

        return missing;
    }

    private static TOptions? Bind<TOptions>(IConfiguration configuration, string section, string profile, List<string> problems)
        where TOptions : class, new()
    {
        try
        {
            return configuration.GetSection(section).Get<TOptions>() ?? new TOptions();
        }
        catch (InvalidOperationException ex)
        {
            // "Failed to convert configuration value at 'Mlflow:Timeout' to type 'System.TimeSpan'."
            var detail = ex.InnerException is { } inner ? $" ({inner.Message})" : "";
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{profile}: {ex.Message}{detail}"));
            return null;
        }
    }

    private static bool Validate(string profile, string section, ValidateOptionsResult result, List<string> problems)
    {
        if (!result.Failed)
        {
            return true;
        }

        foreach (var failure in result.Failures ?? [result.FailureMessage])
        {
            problems.Add($"{profile}: {NameSetting(section, failure)}");
        }

        return false;
    }

    /// <summary>
    /// The validators report "Member: message" (or "A, B: message"); the message often names the setting already
    /// ("Mlflow:TrackingUri must be …"). Either way the result starts with the full key, and a single member gets the
    /// variable that sets it.
    /// </summary>
    internal static string NameSetting(string section, string failure)
    {
        var colon = failure.IndexOf(": ", StringComparison.Ordinal);
        var members = colon > 0 ? failure[..colon].Split(", ") : [];
        if (members.Length == 0 || !members.All(m => m.Length > 0 && m.All(char.IsAsciiLetterOrDigit)))
        {
            return failure.StartsWith(section, StringComparison.Ordinal) ? failure : $"{section}: {failure}";
        }

        var text = failure[(colon + 2)..];
        if (members.Length > 1)
        {
            return text.StartsWith(section, StringComparison.Ordinal) ? text : $"{section}: {text}";
        }

        var key = $"{section}:{members[0]}";
        var named = text.StartsWith(key, StringComparison.Ordinal) ? text : $"{key}: {text}";
        return $"{named} (set {BuddiesConfiguration.VariableFor(key)})";
    }
}
