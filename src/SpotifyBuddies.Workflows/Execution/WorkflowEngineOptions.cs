namespace SpotifyBuddies.Workflows.Execution;

/// <summary>Settings of the workflow engine (section <c>Workflows</c>).</summary>
public sealed class WorkflowEngineOptions
{
    public const string SectionName = "Workflows";

    /// <summary>The folder holding the definition files (<c>*.yaml</c>, <c>*.yml</c>, <c>*.json</c>).</summary>
    public string DefinitionsDirectory { get; set; } = "workflows";

    /// <summary>Where step executions get their work directories: <c>&lt;root&gt;/runs/&lt;run id&gt;/&lt;step id&gt;[-&lt;item&gt;]</c>.</summary>
    public string WorkRoot { get; set; } = Path.Combine(".buddies", "work");

    /// <summary>How often a running step checks whether its run was cancelled.</summary>
    public TimeSpan CancellationPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A step that was claimed for dispatch but has no background job id after this long is dispatched again
    /// (the process died between the two writes). The superseded dispatch, if it ever runs, does nothing.
    /// </summary>
    public TimeSpan LostDispatchAfter { get; set; } = TimeSpan.FromMinutes(1);
}
