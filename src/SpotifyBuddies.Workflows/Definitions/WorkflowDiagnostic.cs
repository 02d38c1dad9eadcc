namespace SpotifyBuddies.Workflows.Definitions;

/// <summary>One problem in a definition file: where, which rule, and what is wrong.</summary>
/// <param name="Code">A stable code, e.g. <c>unknown-step</c>, <c>cyclic-needs</c> (see DiagnosticCodes).</param>
/// <param name="Path">The element, e.g. <c>steps[2].with.epochs</c>.</param>
public sealed record WorkflowDiagnostic(string File, SourcePosition Position, string Code, string Path, string Message)
{
    public override string ToString() => $"{File}:{Position.Line}:{Position.Column}: {Code}: {Path}: {Message}";
}

/// <summary>A definition that did not load or did not validate; <see cref="Diagnostics"/> holds every error.</summary>
public sealed class WorkflowDefinitionException : Exception
{
    public WorkflowDefinitionException(IReadOnlyList<WorkflowDiagnostic> diagnostics)
        : base(string.Join(Environment.NewLine, diagnostics))
    {
        Diagnostics = diagnostics;
    }

    public IReadOnlyList<WorkflowDiagnostic> Diagnostics { get; }
}
