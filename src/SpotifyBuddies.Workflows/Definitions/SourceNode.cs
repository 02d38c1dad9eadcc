namespace SpotifyBuddies.Workflows.Definitions;

/// <summary>
/// A format-neutral node of a definition file with its position: the YAML and the JSON reader both produce
/// this tree, and one converter turns it into records, so both formats load into equal definitions.
/// </summary>
internal abstract record SourceNode(SourcePosition Position)
{
    public abstract string KindName { get; }
}

/// <param name="Quoted">Written quoted (or as a block scalar, or tagged <c>!!str</c>): always a string, never a number, boolean or null.</param>
internal sealed record SourceScalar(string Value, bool Quoted, SourcePosition Position) : SourceNode(Position)
{
    public override string KindName => "a scalar";
}

internal sealed record SourceMapping(IReadOnlyList<KeyValuePair<SourceScalar, SourceNode>> Entries, SourcePosition Position)
    : SourceNode(Position)
{
    public override string KindName => "a mapping";
}

internal sealed record SourceSequence(IReadOnlyList<SourceNode> Items, SourcePosition Position) : SourceNode(Position)
{
    public override string KindName => "a list";
}

/// <summary>A syntax error with its position, raised by the readers.</summary>
internal sealed class SourceSyntaxException(SourcePosition position, string message) : Exception(message)
{
    public SourcePosition Position { get; } = position;
}
