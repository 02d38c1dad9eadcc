using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Definitions;

namespace SpotifyBuddies.Workflows.Validation;

/// <summary>
/// Load then validate, never throwing for a bad file: what <c>buddies workflow validate</c>, the engine's loader
/// and the golden test use. A file that does not load gives its structural problems; one that loads gives the
/// validator's. <c>Definition</c> is set whenever the file loaded, valid or not.
/// </summary>
public static class WorkflowDocument
{
    public static (WorkflowDefinition? Definition, IReadOnlyList<WorkflowDiagnostic> Diagnostics) Load(string text, string file, StepCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        WorkflowDefinition definition;
        try
        {
            definition = WorkflowLoader.Parse(text, file);
        }
        catch (WorkflowDefinitionException e)
        {
            return (null, e.Diagnostics);
        }

        return (definition, new WorkflowValidator(catalog).Validate(definition));
    }

    /// <summary>As <see cref="Load"/>, reading <paramref name="path"/>; a file that cannot be read is one <c>unreadable-file</c> diagnostic.</summary>
    public static (WorkflowDefinition? Definition, IReadOnlyList<WorkflowDiagnostic> Diagnostics) LoadFile(string path, StepCatalog catalog)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, [new WorkflowDiagnostic(path, SourcePosition.None, DiagnosticCodes.UnreadableFile, "", e.Message)]);
        }

        return Load(text, path, catalog);
    }
}
