namespace SpotifyBuddies.Workflows.Expressions;

/// <summary>One piece of a string: literal text, or an expression (parsed, or with the reason it does not parse).</summary>
internal sealed record TemplatePart(string? Text, string? Expression = null, Expr? Tree = null, string? Error = null)
{
    public bool IsExpression => Expression is not null;
}

/// <summary>
/// A string split into literal text and <c>${{ … }}</c> expressions. The end <c>}}</c> is found outside the
/// expression's string literals, so <c>${{ format('{0}}}', x) }}</c> works.
/// </summary>
internal sealed class ExpressionTemplate
{
    public const string Open = "${{";
    public const string Close = "}}";

    private ExpressionTemplate(IReadOnlyList<TemplatePart> parts) => Parts = parts;

    public IReadOnlyList<TemplatePart> Parts { get; }

    public bool HasExpressions => Parts.Any(p => p.IsExpression);

    /// <summary>The one expression, when the string is exactly one <c>${{ … }}</c> (whitespace around it aside); its value keeps its type.</summary>
    public TemplatePart? Single
    {
        get
        {
            var meaningful = Parts.Where(p => p.IsExpression || !string.IsNullOrWhiteSpace(p.Text)).ToList();
            return meaningful is [{ IsExpression: true } only] ? only : null;
        }
    }

    public static bool ContainsExpression(string text) => text.Contains(Open, StringComparison.Ordinal);

    public static ExpressionTemplate Parse(string text)
    {
        var parts = new List<TemplatePart>();
        var i = 0;
        while (i < text.Length)
        {
            var open = text.IndexOf(Open, i, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add(new TemplatePart(text[i..]));
                break;
            }

            if (open > i)
            {
                parts.Add(new TemplatePart(text[i..open]));
            }

            var bodyStart = open + Open.Length;
            var close = FindClose(text, bodyStart);
            if (close < 0)
            {
                var rest = text[bodyStart..].Trim();
                parts.Add(new TemplatePart(null, rest, Error: $"'{Open}' at column {open + 1} is not closed with '{Close}'"));
                break;
            }

            parts.Add(ParseExpression(text[bodyStart..close].Trim()));
            i = close + Close.Length;
        }

        return new ExpressionTemplate(parts);
    }

    /// <summary>An expression's text on its own (a condition without the wrapper).</summary>
    public static TemplatePart ParseExpression(string expression)
    {
        try
        {
            return new TemplatePart(null, expression, ExpressionParser.Parse(expression));
        }
        catch (ExpressionSyntaxException e)
        {
            return new TemplatePart(null, expression, Error: e.Message);
        }
    }

    private static int FindClose(string text, int start)
    {
        var i = start;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is '\'' or '"')
            {
                i++;
                while (i < text.Length && text[i] != c)
                {
                    i += c == '"' && text[i] == '\\' ? 2 : 1;
                }

                i++;
                continue;
            }

            if (string.CompareOrdinal(text, i, Close, 0, Close.Length) == 0)
            {
                return i;
            }

            i++;
        }

        return -1;
    }
}
