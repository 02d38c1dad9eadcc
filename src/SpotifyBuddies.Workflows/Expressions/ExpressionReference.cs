namespace SpotifyBuddies.Workflows.Expressions;

/// <summary>
/// A piece of scope data an expression reads, found without evaluating it: <c>params.epochs</c> is root
/// <c>params</c> with members <c>[epochs]</c>; <c>steps.train.outputs.model_dir</c> is root <c>steps</c> with
/// members <c>[train, outputs, model_dir]</c>. Index access with a literal (<c>[0]</c>, <c>['key']</c>) adds a member.
/// </summary>
/// <param name="Location">Where in the value the expression is: "" for the value itself, <c>.key</c> / <c>[2]</c> inside objects and arrays.</param>
/// <param name="Expression">The whole expression's text (inside <c>${{ }}</c>).</param>
public sealed record ExpressionReference(string Location, string Expression, string Root, IReadOnlyList<string> Members)
{
    /// <summary>The reference as written in dotted form, e.g. <c>steps.train.outputs.model_dir</c>.</summary>
    public string Path => Members.Count == 0 ? Root : $"{Root}.{string.Join('.', Members)}";
}

/// <summary>An expression that does not parse.</summary>
/// <param name="Location">As in <see cref="ExpressionReference.Location"/>.</param>
public sealed record ExpressionError(string Location, string Expression, string Message);

/// <summary>What a value's expressions read, and which of them do not parse.</summary>
public sealed record ExpressionAnalysis(IReadOnlyList<ExpressionReference> References, IReadOnlyList<ExpressionError> Errors);
