namespace SpotifyBuddies.Infrastructure.Tests.Hangfire;

/// <summary>
/// Hangfire keeps some state process-wide (serializer settings, log provider, filter providers), so the tests that host
/// it run one at a time, each host with its own DI-injected storage (a fresh PostgreSQL schema).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HangfireTestGroup
{
    public const string Name = "Hangfire";
}
