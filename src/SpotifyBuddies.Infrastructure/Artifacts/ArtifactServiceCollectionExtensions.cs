using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpotifyBuddies.Core.Artifacts;

namespace SpotifyBuddies.Infrastructure.Artifacts;

/// <summary>Registers one <see cref="IArtifactStore"/> (a singleton) for the Local or the Production profile.</summary>
public static class ArtifactServiceCollectionExtensions
{
    /// <summary>Artifacts in a local directory (<see cref="LocalDirectoryArtifactStore"/>).</summary>
    /// <exception cref="OptionsValidationException">The root is not usable; the message says why.</exception>
    public static IServiceCollection AddLocalArtifacts(this IServiceCollection services, string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return services.AddLocalArtifacts(new LocalArtifactOptions { Root = root });
    }

    /// <inheritdoc cref="AddLocalArtifacts(IServiceCollection, string)"/>
    public static IServiceCollection AddLocalArtifacts(this IServiceCollection services, LocalArtifactOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfInvalid<LocalArtifactOptions>(new LocalArtifactOptionsValidator().Validate(null, options));
        services.TryAddSingleton(options);
        services.TryAddSingleton<LocalDirectoryArtifactStore>(provider =>
            new LocalDirectoryArtifactStore(options, provider.GetService<ILogger<LocalDirectoryArtifactStore>>()));
        services.TryAddSingleton<IArtifactStore>(provider => provider.GetRequiredService<LocalDirectoryArtifactStore>());
        return services;
    }

    /// <summary>
    /// Artifacts on an S3-protocol server (<see cref="MinioArtifactStore"/>). Nothing connects until the first call,
    /// which creates the bucket when missing.
    /// </summary>
    /// <exception cref="OptionsValidationException">The options are invalid; the message lists every problem.</exception>
    public static IServiceCollection AddMinioArtifacts(this IServiceCollection services, MinioArtifactOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfInvalid<MinioArtifactOptions>(new MinioArtifactOptionsValidator().Validate(null, options));
        services.TryAddSingleton(options);
        services.TryAddSingleton<MinioArtifactStore>(provider =>
            new MinioArtifactStore(options, provider.GetService<ILogger<MinioArtifactStore>>()));
        services.TryAddSingleton<IArtifactStore>(provider => provider.GetRequiredService<MinioArtifactStore>());
        return services;
    }

    private static void ThrowIfInvalid<TOptions>(ValidateOptionsResult result)
    {
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), result.Failures);
        }
    }
}
