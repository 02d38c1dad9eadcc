using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Polly;
using SpotifyBuddies.Core.Tracking;

namespace SpotifyBuddies.Infrastructure.Mlflow;

public static class MlflowServiceCollectionExtensions
{
    /// <summary>The named HttpClient <see cref="MlflowClient"/> uses.</summary>
    public const string HttpClientName = "mlflow";

    /// <summary>
    /// Registers <see cref="MlflowClient"/> as <see cref="IExperimentTracker"/> and <see cref="IModelRegistry"/>:
    /// <see cref="MlflowOptions"/> from section <c>Mlflow</c> (then <paramref name="configure"/>), validated at start
    /// with messages naming the setting; a typed HttpClient with no timeout of its own (the client applies
    /// <see cref="MlflowOptions.Timeout"/> per call) and a retry handler for idempotent calls (<see cref="MlflowRetryPolicy"/>).
    /// </summary>
    public static IServiceCollection AddMlflowTracking(this IServiceCollection services, Action<MlflowOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<MlflowOptions>().BindConfiguration(MlflowOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MlflowOptions>, MlflowOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        var builder = services.AddHttpClient<MlflowClient>(HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        builder.AddResilienceHandler("mlflow-retry", (pipeline, context) =>
        {
            var settings = context.ServiceProvider.GetRequiredService<IOptionsMonitor<MlflowOptions>>().Get(Options.DefaultName);
            if (settings.MaxRetries > 0)
            {
                pipeline.AddRetry(MlflowRetryPolicy.Create(settings));
            }
        });

        services.TryAddTransient<IExperimentTracker>(provider => provider.GetRequiredService<MlflowClient>());
        services.TryAddTransient<IModelRegistry>(provider => provider.GetRequiredService<MlflowClient>());
        return services;
    }
}
