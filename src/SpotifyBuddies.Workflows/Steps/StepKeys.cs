using SpotifyBuddies.Workflows.Catalog;

namespace SpotifyBuddies.Workflows.Steps;

/// <summary>Identities of one step execution, for tags and storage keys.</summary>
internal static class StepKeys
{
    public const string WorkflowTag = "buddies.workflow";
    public const string WorkflowRunTag = "buddies.workflow_run";
    public const string WorkflowStepTag = "buddies.workflow_step";

    /// <summary>The step id, with the foreach item index when there is one (<c>train</c>, <c>train-3</c>).</summary>
    public static string Execution(StepContext context) =>
        context.Item >= 0 ? FormattableString.Invariant($"{context.StepId}-{context.Item}") : context.StepId;

    /// <summary>Tags that tie a tracked run or a registered version to this step execution.</summary>
    public static Dictionary<string, string> Tags(StepContext context) => new(StringComparer.Ordinal)
    {
        [WorkflowTag] = context.Workflow,
        [WorkflowRunTag] = context.RunId.ToString(),
        [WorkflowStepTag] = Execution(context),
    };
}
