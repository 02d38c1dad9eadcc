namespace SpotifyBuddies.Core.Artifacts;

/// <summary>Keys for published outputs and workflow step state (added with the workflow engine).</summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>pointers/&lt;name&gt;.json</c> — a small JSON object naming the current published version of
/// <c>datasets/&lt;name&gt;/…</c> (written last, after every file it names), so a reader such as serving finds the
/// current candidate pools without listing versions;</item>
/// <item><c>workflow-runs/&lt;run id&gt;/&lt;step&gt;/…</c> — state one workflow step execution keeps between attempts
/// (e.g. training checkpoints), so a retry or a restart after a crash finds its own and a later run never does.</item>
/// </list>
/// </remarks>
public static partial class ArtifactKeys
{
    /// <summary>The pointer object naming the current published version of <c>datasets/&lt;name&gt;/…</c>.</summary>
    public static string Current(string name) => Join("pointers", name + ".json");

    public static string WorkflowStep(Guid runId, string stepKey, string file = "") =>
        Join("workflow-runs", runId.ToString("N"), stepKey, file);
}
