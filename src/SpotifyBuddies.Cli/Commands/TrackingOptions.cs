using System.CommandLine;
using Microsoft.Extensions.Configuration;
using SpotifyBuddies.Cli.Composition;
using SpotifyBuddies.Models.Ranking;

namespace SpotifyBuddies.Cli.Commands;

/// <summary>
/// The options that choose where artifacts and tracked runs live, shared by every command that stores or reads them:
/// <c>--profile local|production</c>, <c>--artifacts DIR</c> and <c>--tracking DIR</c> (Local only),
/// <c>--no-tracking</c> and <c>--experiment</c>. They are the last layer of <see cref="BuddiesConfiguration"/>
/// (defaults, <c>buddies.json</c>, <c>BUDDIES_*</c> variables), which <see cref="ProfileComposition"/> turns into backends.
/// </summary>
internal sealed class TrackingOptions
{
    private readonly Option<string?> _profile = new("--profile")
    {
        Description = "local: artifacts and runs in local directories (the default); production: checkpoints in MinIO " +
                      "(Artifacts:Minio:*), runs and models in MLflow (Mlflow:TrackingUri). Overrides BUDDIES_PROFILE.",
    };

    private readonly Option<DirectoryInfo?> _artifacts = new("--artifacts")
    {
        Description = $"Local profile: the artifact store directory (checkpoints, run artifacts). Default {BuddiesConfiguration.Defaults[BuddiesConfiguration.LocalArtifactsRoot]}, or BUDDIES_ARTIFACTS__LOCAL__ROOT.",
    };

    private readonly Option<DirectoryInfo?> _tracking = new("--tracking")
    {
        Description = $"Local profile: the local tracker directory (runs, params, metric histories, model registry). Default {BuddiesConfiguration.Defaults[BuddiesConfiguration.LocalTrackingRoot]}, or BUDDIES_TRACKING__LOCAL__ROOT.",
    };

    private readonly Option<bool> _noTracking = new("--no-tracking") { Description = "Do not record the run in the experiment tracker." };

    private readonly Option<string?> _experiment = new("--experiment")
    {
        Description = $"Experiment the runs are recorded in. Default {BuddiesConfiguration.DefaultExperiment}, or BUDDIES_TRACKING__EXPERIMENT.",
    };

    private TrackingOptions()
    {
        _profile.AcceptOnlyFromAmong("local", "production");
    }

    public static TrackingOptions Create() => new();

    /// <summary>Everything, for commands that train.</summary>
    public void AddTo(Command command)
    {
        AddLocationsTo(command);
        command.Add(_noTracking);
        command.Add(_experiment);
    }

    /// <summary>Only the profile and location options (for commands that read runs or models).</summary>
    public void AddLocationsTo(Command command)
    {
        command.Add(_profile);
        command.Add(_artifacts);
        command.Add(_tracking);
    }

    /// <summary>The <c>--experiment</c> option alone (<c>runs list</c>).</summary>
    public void AddExperimentTo(Command command) => command.Add(_experiment);

    /// <summary>The layered configuration with this command line on top.</summary>
    /// <exception cref="InvalidConfigurationException">buddies.json is malformed.</exception>
    public IConfiguration Configuration(ParseResult parse)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (parse.GetValue(_profile) is { } profile)
        {
            overrides[BuddiesConfiguration.Profile] = profile;
        }

        if (parse.GetValue(_artifacts) is { } artifacts)
        {
            overrides[BuddiesConfiguration.LocalArtifactsRoot] = artifacts.FullName;
        }

        if (parse.GetValue(_tracking) is { } tracking)
        {
            overrides[BuddiesConfiguration.LocalTrackingRoot] = tracking.FullName;
        }

        if (parse.GetValue(_experiment) is { } experiment)
        {
            overrides[BuddiesConfiguration.Experiment] = experiment;
        }

        return BuddiesConfiguration.Build(overrides);
    }

    /// <summary>The experiment runs are recorded in: <c>--experiment</c>, else Tracking:Experiment.</summary>
    public string Experiment(ParseResult parse)
    {
        var name = Configuration(parse)[BuddiesConfiguration.Experiment];
        return string.IsNullOrWhiteSpace(name) ? BuddiesConfiguration.DefaultExperiment : name;
    }

    /// <summary>The profile's backends for training (the tracker and registry are null with <c>--no-tracking</c>).</summary>
    /// <exception cref="InvalidConfigurationException">A setting is missing or invalid; the message names each one.</exception>
    public TrackingBackends Open(ParseResult parse) =>
        Open(parse, parse.GetValue(_noTracking) ? TrackingUse.UntrackedTraining : TrackingUse.Training);

    /// <summary>The profile's backends for <paramref name="use"/>.</summary>
    /// <exception cref="InvalidConfigurationException">A setting is missing or invalid, or a Local-only option was
    /// given with the Production profile.</exception>
    public TrackingBackends Open(ParseResult parse, TrackingUse use)
    {
        var configuration = Configuration(parse);
        if (ProfileComposition.ReadProfile(configuration) == ProfileKind.Production
            && (parse.GetValue(_artifacts) is not null || parse.GetValue(_tracking) is not null))
        {
            throw new InvalidConfigurationException(
                "--artifacts and --tracking choose local directories (Local profile); the Production profile keeps checkpoints in " +
                "Artifacts:Minio and runs in Mlflow:TrackingUri. Drop them, or use --profile local.");
        }

        return ProfileComposition.Open(configuration, use);
    }

    /// <summary>What <see cref="BprTraining"/> needs from the backends: checkpoints, tracker, and the registry the
    /// trained model is registered in (the same LocalTracker or MlflowClient as the tracker).</summary>
    public static BprTrainingServices TrainingServices(TrackingBackends backends)
    {
        ArgumentNullException.ThrowIfNull(backends);
        return new BprTrainingServices { Checkpoints = backends.Artifacts, Tracker = backends.Tracker, Registry = backends.Registry };
    }
}
