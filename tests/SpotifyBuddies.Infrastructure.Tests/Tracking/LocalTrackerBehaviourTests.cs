using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Infrastructure.Tracking;

namespace SpotifyBuddies.Infrastructure.Tests.Tracking;

/// <summary>The behavioural suite against <see cref="LocalTracker"/> (files in a temp directory, artifacts in memory).</summary>
public sealed class LocalTrackerBehaviourTests : TrackerBehaviourSuite
{
    protected override Task<ITrackerHarness> OpenAsync(string scenario = "") => Task.FromResult<ITrackerHarness>(new LocalHarness());

    internal sealed class LocalHarness : ITrackerHarness
    {
        private readonly TempDirectory _root = new();

        public LocalHarness()
        {
            Artifacts = new InMemoryArtifactStore();
            Local = new LocalTracker(new LocalTrackerOptions { Root = _root.Path, UserId = "fixture-user" }, Artifacts);
        }

        public LocalTracker Local { get; }

        public InMemoryArtifactStore Artifacts { get; }

        public string Root => _root.Path;

        public IExperimentTracker Tracker => Local;

        public IModelRegistry Registry => Local;

        public async Task<string> RunsExperimentIdAsync() => (await Local.GetOrCreateExperimentAsync("fixture-runs")).Id;

        public Task DeleteExperimentAsync(string experimentId) => Local.DeleteExperimentAsync(experimentId);

        public Task<ModelVersion> CreateVersionAsync(string name, string source, string? runId, IReadOnlyDictionary<string, string>? tags, string? description) =>
            Local.CreateVersionAsync(name, source, runId, tags);

        public void Verify()
        {
        }

        public ValueTask DisposeAsync()
        {
            _root.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
