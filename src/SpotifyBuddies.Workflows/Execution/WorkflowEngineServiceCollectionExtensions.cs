using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Workflows.Catalog;

namespace SpotifyBuddies.Workflows.Execution;

public static class WorkflowEngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="WorkflowEngine"/> (also as the background jobs' <see cref="IWorkflowJobHandler"/>) and
    /// the <see cref="StepCatalog"/> built from the registered steps. The host adds the steps, a run store
    /// (<see cref="IWorkflowRunStore"/>) and a dispatcher (<see cref="IStepDispatcher"/>, optionally a scheduler).
    /// </summary>
    public static IServiceCollection AddWorkflowEngine(this IServiceCollection services, Action<WorkflowEngineOptions> configure)
    {
        services.AddOptions<WorkflowEngineOptions>().Configure(configure);
        services.TryAddSingleton<StepCatalog>();
        services.TryAddSingleton(sp => new WorkflowEngine(
            sp.GetRequiredService<StepCatalog>(),
            sp.GetRequiredService<IWorkflowRunStore>(),
            sp.GetRequiredService<IStepDispatcher>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<WorkflowEngineOptions>>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<WorkflowEngine>>(),
            sp.GetService<IWorkflowScheduler>(),
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton<IWorkflowJobHandler>(sp => sp.GetRequiredService<WorkflowEngine>());
        return services;
    }
}
