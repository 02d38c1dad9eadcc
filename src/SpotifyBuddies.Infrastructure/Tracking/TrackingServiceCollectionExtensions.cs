using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SpotifyBuddies.Core.Artifacts;
using SpotifyBuddies.Core.Tracking;

namespace SpotifyBuddies.Infrastructure.Tracking;

public static class TrackingServiceCollectionExtensions
{
    /// <summary>
    /// Registers the singleton <see cref="LocalTracker"/> as <see cref="IExperimentTracker"/> and <see cref="IModelRegistry"/>,
    /// with <see cref="LocalTrackerOptions"/> from section <c>Tracking:Local</c> (then <paramref name="root"/> when given),
    /// validated at start. Run artifacts go to the registered <see cref="IArtifactStore"/>, which must be added too.
    /// </summary>
    public static IServiceCollection AddLocalTracking(this IServiceCollection services, string? root = null, Action<LocalTrackerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<LocalTrackerOptions>().BindConfiguration(LocalTrackerOptions.SectionName);
        if (root is not null)
        {
            options.Configure(o => o.Root = root);
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LocalTrackerOptions>, LocalTrackerOptionsValidator>());
        services.TryAddSingleton(provider => new LocalTracker(
            provider.GetRequiredService<IOptions<LocalTrackerOptions>>().Value,
            provider.GetService<IArtifactStore>()
                ?? throw new InvalidOperationException("AddLocalTracking needs an IArtifactStore for run artifacts: register one (e.g. the local artifact directory) as well."),
            provider.GetService<TimeProvider>()));
        services.TryAddSingleton<IExperimentTracker>(provider => provider.GetRequiredService<LocalTracker>());
        services.TryAddSingleton<IModelRegistry>(provider => provider.GetRequiredService<LocalTracker>());
        return services;
    }
}
