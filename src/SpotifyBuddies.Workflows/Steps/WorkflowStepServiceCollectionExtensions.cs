using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SpotifyBuddies.Workflows.Catalog;

namespace SpotifyBuddies.Workflows.Steps;

/// <summary>
/// Registers workflow steps: each as a singleton <see cref="IWorkflowStep"/> (the catalog's allow-list), plus the
/// <see cref="StepCatalog"/>. The built-in steps take their ports from DI: <c>IArtifactStore</c>,
/// <c>IExperimentTracker</c> and <c>IModelRegistry</c> (registered by Infrastructure for the active profile).
/// </summary>
public static class WorkflowStepServiceCollectionExtensions
{
    /// <summary>The built-in steps: data.synth, data.prepare, pairing.knn, training.bpr, model.evaluate, model.register.</summary>
    public static IServiceCollection AddWorkflowSteps(this IServiceCollection services) => services
        .AddWorkflowStep<DataSynthStep>()
        .AddWorkflowStep<DataPrepareStep>()
        .AddWorkflowStep<PairingKnnStep>()
        .AddWorkflowStep<TrainingBprStep>()
        .AddWorkflowStep<ModelEvaluateStep>()
        .AddWorkflowStep<ModelRegisterStep>();

    /// <summary>Adds one step (idempotent per type) and the catalog.</summary>
    public static IServiceCollection AddWorkflowStep<TStep>(this IServiceCollection services)
        where TStep : class, IWorkflowStep
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IWorkflowStep, TStep>());
        services.TryAddSingleton<StepCatalog>();
        return services;
    }
}
