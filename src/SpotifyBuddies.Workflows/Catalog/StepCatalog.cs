namespace SpotifyBuddies.Workflows.Catalog;

/// <summary>The allow-list of steps: every <see cref="IWorkflowStep"/> registered in DI, by descriptor name.</summary>
public sealed class StepCatalog
{
    private readonly Dictionary<string, IWorkflowStep> _steps;

    public StepCatalog(IEnumerable<IWorkflowStep> steps)
    {
        _steps = new Dictionary<string, IWorkflowStep>(StringComparer.Ordinal);
        foreach (var step in steps)
        {
            if (!_steps.TryAdd(step.Descriptor.Name, step))
            {
                throw new InvalidOperationException($"two steps are registered as '{step.Descriptor.Name}'");
            }
        }
    }

    /// <summary>Descriptors ordered by category, then name.</summary>
    public IReadOnlyList<StepDescriptor> Descriptors =>
        [.. _steps.Values.Select(s => s.Descriptor).OrderBy(d => d.Category, StringComparer.Ordinal).ThenBy(d => d.Name, StringComparer.Ordinal)];

    public StepDescriptor? Find(string name) => _steps.TryGetValue(name, out var step) ? step.Descriptor : null;

    /// <exception cref="KeyNotFoundException">No step of that name is registered.</exception>
    public IWorkflowStep Get(string name) =>
        _steps.TryGetValue(name, out var step) ? step : throw new KeyNotFoundException($"no step named '{name}' is registered");
}
