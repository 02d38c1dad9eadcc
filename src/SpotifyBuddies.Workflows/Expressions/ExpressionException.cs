namespace SpotifyBuddies.Workflows.Expressions;

/// <summary>
/// An expression that cannot be parsed or evaluated, e.g.
/// <c>steps.train.outputs.model_dir: step 'train' has no output 'model_dir'</c>.
/// </summary>
public sealed class ExpressionException : Exception
{
    public ExpressionException(string expression, string problem)
        : base($"{expression}: {problem}")
    {
        Expression = expression;
        Problem = problem;
    }

    /// <summary>The expression's text (inside <c>${{ }}</c>).</summary>
    public string Expression { get; }

    /// <summary>What is wrong, without the expression.</summary>
    public string Problem { get; }
}
