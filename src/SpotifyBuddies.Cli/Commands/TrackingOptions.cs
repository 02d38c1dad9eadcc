using System.CommandLine;
using SpotifyBuddies.Core.Artifacts;
using SpotifyBuddies.Infrastructure.Artifacts;
using SpotifyBuddies.Infrastructure.Tracking;
using SpotifyBuddies.Models.Ranking;

namespace SpotifyBuddies.Cli.Commands;

/// <summary>
/// The options that choose where artifacts and tracked runs live (<c>--artifacts</c>, <c>--tracking</c>,
/// <c>--no-tracking</c>, <c>--experiment</c>), shared by every command that stores or reads them. Defaults are the
/// embedded Local profile: both under <c>.buddies/</c>, no server needed.
/// </summary>
internal sealed class TrackingOptions
{
    public const string DefaultArtifacts = ".buddies/artifacts";
    public const string DefaultTracking = ".buddies/tracking";

    private readonly Option<DirectoryInfo> _artifacts = new("--artifacts")
    {
        Description = "Artifact store root (checkpoints, logged run files). Local directory.",
        DefaultValueFactory = _ => new DirectoryInfo(DefaultArtifacts),
    };

    private readonly Option<DirectoryInfo> _tracking = new("--tracking")
    {
        Description = "Local experiment tracker root (runs, params, metric histories, model registry).",
        DefaultValueFactory = _ => new DirectoryInfo(DefaultTracking),
    };

    private readonly Option<bool> _noTracking = new("--no-tracking") { Description = "Do not record the run in the experiment tracker." };

    private readonly Option<string> _experiment = new("--experiment")
    {
        Description = "Experiment the run is recorded in.",
        DefaultValueFactory = _ => "spotify-buddies",
    };

    public static TrackingOptions Create() => new();

    public void AddTo(Command command)
    {
        command.Add(_artifacts);
        command.Add(_tracking);
        command.Add(_noTracking);
        command.Add(_experiment);
    }

    /// <summary>Only the store/tracker location options (for read-only commands such as <c>runs list</c>).</summary>
    public void AddLocationsTo(Command command)
    {
        command.Add(_artifacts);
        command.Add(_tracking);
    }

    public string Experiment(ParseResult parse) => parse.GetValue(_experiment)!;

    public IArtifactStore Artifacts(ParseResult parse) => new LocalDirectoryArtifactStore(parse.GetValue(_artifacts)!.FullName);

    /// <summary>The tracker, or null with <c>--no-tracking</c>.</summary>
    public LocalTracker? Tracker(ParseResult parse, IArtifactStore artifacts) =>
        parse.GetValue(_noTracking) ? null : new LocalTracker(new LocalTrackerOptions { Root = parse.GetValue(_tracking)!.FullName }, artifacts);

    /// <summary>The tracker and registry, for commands that read them.</summary>
    public LocalTracker OpenTracker(ParseResult parse) => new(new LocalTrackerOptions { Root = parse.GetValue(_tracking)!.FullName }, Artifacts(parse));

    public BprTrainingServices Open(ParseResult parse)
    {
        var artifacts = Artifacts(parse);
        return new BprTrainingServices { Checkpoints = artifacts, Tracker = Tracker(parse, artifacts) };
    }
}
