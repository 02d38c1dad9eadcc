using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SpotifyBuddies.Core.Artifacts;
using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Infrastructure.Artifacts;
using SpotifyBuddies.Infrastructure.Mlflow;

namespace SpotifyBuddies.Cli.Composition;

/// <summary>
/// The backends one profile composed (<see cref="ProfileComposition.Open"/>): the artifact store for checkpoints, the
/// experiment tracker and the model registry. Local: the artifact directory and the <c>LocalTracker</c> (both ports);
/// Production: MinIO and the <c>MlflowClient</c> (both ports). Disposing releases the HTTP handlers.
/// </summary>
internal sealed class TrackingBackends : IDisposable
{
    private readonly ServiceProvider _provider;
    private readonly IArtifactStore? _artifacts;

    public TrackingBackends(ProfileKind profile, TrackingUse use, ServiceProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        Profile = profile;
        _provider = provider;
        if (profile == ProfileKind.Local || use != TrackingUse.Reading)
        {
            _artifacts = provider.GetRequiredService<IArtifactStore>();
        }

        if (use != TrackingUse.UntrackedTraining)
        {
            Tracker = provider.GetRequiredService<IExperimentTracker>();
            Registry = provider.GetRequiredService<IModelRegistry>();
        }
    }

    public ProfileKind Profile { get; }

    /// <summary>Where checkpoints (and, in the Local profile, run artifacts) go.</summary>
    /// <exception cref="InvalidOperationException">Composed for reading in Production, where no store is needed.</exception>
    public IArtifactStore Artifacts => _artifacts ?? throw new InvalidOperationException("The artifact store was not composed for reading runs in the Production profile.");

    /// <summary>Null with <c>--no-tracking</c>.</summary>
    public IExperimentTracker? Tracker { get; }

    /// <summary>Null with <c>--no-tracking</c>; the same object as <see cref="Tracker"/> in both profiles.</summary>
    public IModelRegistry? Registry { get; }

    /// <summary>The tracker, for commands that read runs (composed with <see cref="TrackingUse.Reading"/>).</summary>
    public IExperimentTracker RequiredTracker => Tracker ?? throw new InvalidOperationException("No tracker was composed (--no-tracking).");

    /// <summary>The registry, for commands that read or change models.</summary>
    public IModelRegistry RequiredRegistry => Registry ?? throw new InvalidOperationException("No model registry was composed (--no-tracking).");

    /// <summary>"MLflow at http://…" or "the local tracker in /…", for messages.</summary>
    public string TrackerDescription => Tracker is null
        ? "no tracker"
        : Profile == ProfileKind.Local ? $"the local tracker in {Tracker.Location}" : $"MLflow at {Tracker.Location}";

    /// <summary>The experiment of that name, or null; unlike <see cref="IExperimentTracker.GetOrCreateExperimentAsync"/>
    /// it never creates (or restores) one, so listing runs changes nothing.</summary>
    /// <exception cref="TrackingException">The tracker cannot be reached or answered an error.</exception>
    public Task<Experiment?> FindExperimentAsync(string name, CancellationToken cancellationToken)
    {
        var tracker = RequiredTracker;
        return Profile == ProfileKind.Local
            ? ExperimentLookup.FindLocalAsync(tracker.Location, name, cancellationToken)
            : ExperimentLookup.FindMlflowAsync(
                _provider.GetRequiredService<IHttpClientFactory>().CreateClient(MlflowServiceCollectionExtensions.HttpClientName),
                _provider.GetRequiredService<IOptions<MlflowOptions>>().Value,
                name,
                cancellationToken);
    }

    /// <summary>The names of the active experiments, when the backend can tell cheaply (Local), for "did you mean" messages.</summary>
    public async Task<IReadOnlyList<string>> KnownExperimentsAsync(CancellationToken cancellationToken) =>
        Profile == ProfileKind.Local && Tracker is { } tracker ? await ExperimentLookup.LocalNamesAsync(tracker.Location, cancellationToken) : [];

    /// <summary>
    /// Production only: one cheap call to each server a training run will use (MLflow, then MinIO), so an unreachable or
    /// misconfigured server fails the command at start, not after the dataset is loaded. Local: nothing to check.
    /// </summary>
    /// <exception cref="TrackingException">MLflow cannot be reached or refused the call.</exception>
    /// <exception cref="IOException">The artifact store cannot be reached.</exception>
    public async Task CheckReachableAsync(string experiment, CancellationToken cancellationToken)
    {
        if (Profile == ProfileKind.Local)
        {
            return;
        }

        if (Tracker is not null)
        {
            _ = await FindExperimentAsync(experiment, cancellationToken);
        }

        if (_artifacts is { } store)
        {
            try
            {
                // Also creates the bucket when missing, which the first checkpoint would do anyway.
                _ = await store.StatAsync("checkpoints/.reachable", cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var endpoint = _provider.GetRequiredService<MinioArtifactOptions>().Endpoint;
                throw new IOException(
                    $"Could not use the artifact store {store.Location} at {endpoint}: {ex.Message} " +
                    $"Check {MinioArtifactOptions.SectionName}:Endpoint and the keys ({BuddiesConfiguration.VariableFor(MinioArtifactOptions.SectionName + ":Endpoint")}, …) and that the server is running.",
                    ex);
            }
        }
    }

    public void Dispose() => _provider.Dispose();
}
