using System.Globalization;
using System.Text;

namespace SpotifyBuddies.Workflows.Expressions;

/// <summary>The expression tree.</summary>
internal abstract record Expr;

/// <summary>A literal: a string, an int/long/double, a bool, or null.</summary>
internal sealed record LiteralExpr(object? Value) : Expr;

/// <summary>A root name: <c>params</c>, <c>steps</c>, <c>item</c>, <c>index</c>, <c>run</c>, <c>alert</c>.</summary>
internal sealed record NameExpr(string Name) : Expr;

internal sealed record MemberExpr(Expr Target, string Name) : Expr;

internal sealed record IndexExpr(Expr Target, Expr Index) : Expr;

internal sealed record NotExpr(Expr Operand) : Expr;

internal sealed record BinaryExpr(string Operator, Expr Left, Expr Right) : Expr;

internal sealed record CallExpr(string Function, IReadOnlyList<Expr> Arguments) : Expr;

/// <summary>A syntax error inside one expression.</summary>
internal sealed class ExpressionSyntaxException(string message) : Exception(message);

/// <summary>
/// Parses an expression: literals (integers, decimals, 'single' and "double" quoted strings, true, false, null),
/// paths (<c>params.x</c>, <c>steps.id.outputs.y</c>, <c>item[0]</c>, <c>alert.labels['x']</c>), the operators
/// <c>! &lt; &lt;= &gt; &gt;= == != &amp;&amp; ||</c> (tightest first) with parentheses, and the functions in
/// <see cref="Functions"/>. Identifiers hold letters, digits, '_' and '-' (step ids like <c>knn-refresh</c>).
/// </summary>
internal sealed class ExpressionParser
{
    /// <summary>Function name → (min, max) argument count.</summary>
    public static readonly IReadOnlyDictionary<string, (int Min, int Max)> Functions = new Dictionary<string, (int, int)>(StringComparer.Ordinal)
    {
        ["contains"] = (2, 2),
        ["startsWith"] = (2, 2),
        ["endsWith"] = (2, 2),
        ["length"] = (1, 1),
        ["format"] = (1, int.MaxValue),
        ["join"] = (1, 2),
        ["toJSON"] = (1, 1),
    };

    public static readonly IReadOnlyList<string> Roots = ["params", "steps", "item", "index", "run", "alert"];

    private readonly List<Token> _tokens;
    private int _next;

    private ExpressionParser(List<Token> tokens) => _tokens = tokens;

    /// <exception cref="ExpressionSyntaxException">The text is not an expression.</exception>
    public static Expr Parse(string text)
    {
        var parser = new ExpressionParser(Lexer.Tokenize(text));
        if (parser.Peek.Kind == TokenKind.End)
        {
            throw new ExpressionSyntaxException("the expression is empty");
        }

        var expr = parser.Or();
        if (parser.Peek.Kind != TokenKind.End)
        {
            throw new ExpressionSyntaxException($"unexpected {parser.Peek.Describe()} at column {parser.Peek.Offset + 1}");
        }

        return expr;
    }

    private Token Peek => _tokens[_next];

    private Token Take() => _tokens[_next++];

    private bool TakeIf(TokenKind kind, string text)
    {
        if (Peek.Kind == kind && Peek.Text == text)
        {
            _next++;
            return true;
        }

        return false;
    }

    private void Expect(TokenKind kind, string text)
    {
        if (!TakeIf(kind, text))
        {
            throw new ExpressionSyntaxException($"expected '{text}' at column {Peek.Offset + 1}, found {Peek.Describe()}");
        }
    }

    private Expr Or()
    {
        var left = And();
        while (TakeIf(TokenKind.Operator, "||"))
        {
            left = new BinaryExpr("||", left, And());
        }

        return left;
    }

    private Expr And()
    {
        var left = Equality();
        while (TakeIf(TokenKind.Operator, "&&"))
        {
            left = new BinaryExpr("&&", left, Equality());
        }

        return left;
    }

    private Expr Equality()
    {
        var left = Comparison();
        while (Peek is { Kind: TokenKind.Operator, Text: "==" or "!=" })
        {
            var op = Take().Text;
            left = new BinaryExpr(op, left, Comparison());
        }

        return left;
    }

    private Expr Comparison()
    {
        var left = Unary();
        while (Peek is { Kind: TokenKind.Operator, Text: "<" or "<=" or ">" or ">=" })
        {
            var op = Take().Text;
            left = new BinaryExpr(op, left, Unary());
        }

        return left;
    }

    private Expr Unary() => TakeIf(TokenKind.Operator, "!") ? new NotExpr(Unary()) : Postfix(Primary());

    private Expr Postfix(Expr expr)
    {
        while (true)
        {
            if (TakeIf(TokenKind.Punctuation, "."))
            {
                var name = Take();
                if (name.Kind is not (TokenKind.Identifier or TokenKind.Keyword))
                {
                    throw new ExpressionSyntaxException($"expected a name after '.' at column {name.Offset + 1}, found {name.Describe()}");
                }

                expr = new MemberExpr(expr, name.Text);
            }
            else if (TakeIf(TokenKind.Punctuation, "["))
            {
                var index = Or();
                Expect(TokenKind.Punctuation, "]");
                expr = new IndexExpr(expr, index);
            }
            else
            {
                return expr;
            }
        }
    }

    private Expr Primary()
    {
        var token = Take();
        switch (token.Kind)
        {
            case TokenKind.Number:
                return new LiteralExpr(token.Value);
            case TokenKind.String:
                return new LiteralExpr(token.Text);
            case TokenKind.Keyword:
                return new LiteralExpr(token.Text switch { "true" => true, "false" => false, _ => null });
            case TokenKind.Punctuation when token.Text == "(":
                var inner = Or();
                Expect(TokenKind.Punctuation, ")");
                return inner;
            case TokenKind.Identifier when Peek is { Kind: TokenKind.Punctuation, Text: "(" }:
                return Call(token);
            case TokenKind.Identifier when Roots.Contains(token.Text):
                return new NameExpr(token.Text);
            case TokenKind.Identifier:
                throw new ExpressionSyntaxException(
                    $"unknown name '{token.Text}' at column {token.Offset + 1}; expressions read {string.Join(", ", Roots)}");
            default:
                throw new ExpressionSyntaxException(token.Kind == TokenKind.End
                    ? "the expression ends too early"
                    : $"unexpected {token.Describe()} at column {token.Offset + 1}");
        }
    }

    private CallExpr Call(Token name)
    {
        if (!Functions.TryGetValue(name.Text, out var arity))
        {
            throw new ExpressionSyntaxException(
                $"unknown function '{name.Text}' at column {name.Offset + 1}; functions: {string.Join(", ", Functions.Keys)}");
        }

        Expect(TokenKind.Punctuation, "(");
        var arguments = new List<Expr>();
        if (!TakeIf(TokenKind.Punctuation, ")"))
        {
            do
            {
                arguments.Add(Or());
            }
            while (TakeIf(TokenKind.Punctuation, ","));

            Expect(TokenKind.Punctuation, ")");
        }

        if (arguments.Count < arity.Min || arguments.Count > arity.Max)
        {
            var expected = arity.Min == arity.Max ? $"{arity.Min}" : arity.Max == int.MaxValue ? $"at least {arity.Min}" : $"{arity.Min} or {arity.Max}";
            throw new ExpressionSyntaxException($"{name.Text}() takes {expected} argument(s), got {arguments.Count}");
        }

        return new CallExpr(name.Text, arguments);
    }

    private enum TokenKind
    {
        Number,
        String,
        Identifier,
        Keyword,
        Operator,
        Punctuation,
        End,
    }

    private sealed record Token(TokenKind Kind, string Text, int Offset, object? Value = null)
    {
        public string Describe() => Kind switch
        {
            TokenKind.End => "the end of the expression",
            TokenKind.String => $"string '{Text}'",
            _ => $"'{Text}'",
        };
    }

    private static class Lexer
    {
        public static List<Token> Tokenize(string text)
        {
            var tokens = new List<Token>();
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (char.IsAsciiDigit(c) || (c == '-' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
                {
                    tokens.Add(Number(text, ref i));
                }
                else if (char.IsAsciiLetter(c) || c == '_')
                {
                    var start = i;
                    while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '-'))
                    {
                        i++;
                    }

                    var word = text[start..i];
                    tokens.Add(new Token(word is "true" or "false" or "null" ? TokenKind.Keyword : TokenKind.Identifier, word, start));
                }
                else if (c is '\'' or '"')
                {
                    var start = i;
                    tokens.Add(new Token(TokenKind.String, ReadString(text, ref i), start));
                }
                else if (Operator(text, i) is { } op)
                {
                    tokens.Add(new Token(TokenKind.Operator, op, i));
                    i += op.Length;
                }
                else if (c is '.' or '[' or ']' or '(' or ')' or ',')
                {
                    tokens.Add(new Token(TokenKind.Punctuation, c.ToString(), i));
                    i++;
                }
                else
                {
                    throw new ExpressionSyntaxException($"unexpected character '{c}' at column {i + 1}");
                }
            }

            tokens.Add(new Token(TokenKind.End, "", text.Length));
            return tokens;
        }

        private static string? Operator(string text, int i)
        {
            foreach (var op in (string[])["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!"])
            {
                if (string.CompareOrdinal(text, i, op, 0, op.Length) == 0)
                {
                    return op;
                }
            }

            return text[i] == '=' ? throw new ExpressionSyntaxException($"'=' at column {i + 1} is not an operator; compare with '=='") : null;
        }

        private static Token Number(string text, ref int i)
        {
            var start = i;
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            var isDecimal = false;
            if (i + 1 < text.Length && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
            {
                isDecimal = true;
                i++;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }
            }

            if (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == '_'))
            {
                throw new ExpressionSyntaxException($"'{text[start..(i + 1)]}' at column {start + 1} is not a number (names start with a letter)");
            }

            var literal = text[start..i];
            object value = !isDecimal && int.TryParse(literal, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var small) ? small
                : !isDecimal && long.TryParse(literal, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var large) ? large
                : double.Parse(literal, NumberStyles.Float, CultureInfo.InvariantCulture);
            return new Token(TokenKind.Number, literal, start, value);
        }

        /// <summary>'…' doubles a quote to escape it ('it''s'); "…" takes backslash escapes (\" \\ \n \t).</summary>
        private static string ReadString(string text, ref int i)
        {
            var quote = text[i];
            var start = i;
            i++;
            var value = new StringBuilder();
            while (i < text.Length)
            {
                var c = text[i];
                if (c == quote)
                {
                    if (quote == '\'' && i + 1 < text.Length && text[i + 1] == '\'')
                    {
                        value.Append('\'');
                        i += 2;
                        continue;
                    }

                    i++;
                    return value.ToString();
                }

                if (quote == '"' && c == '\\' && i + 1 < text.Length)
                {
                    value.Append(text[i + 1] switch { 'n' => '\n', 't' => '\t', var other => other });
                    i += 2;
                    continue;
                }

                value.Append(c);
                i++;
            }

            throw new ExpressionSyntaxException($"the string starting at column {start + 1} is not closed");
        }
    }
}
