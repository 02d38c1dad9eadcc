using System.Globalization;
using System.Text;
using SpotifyBuddies.Core.Tracking;

namespace SpotifyBuddies.Infrastructure.Tracking;

/// <summary>
/// The subset of MLflow's run filter syntax the local tracker evaluates: clauses
/// <c>&lt;entity&gt;.&lt;key&gt; &lt;comparator&gt; &lt;value&gt;</c> joined by <c>AND</c> (case-insensitive).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Entities: <c>metrics</c>/<c>metric</c> (numeric value; = != &lt; &lt;= &gt; &gt;=), <c>params</c>/<c>param</c> and
/// <c>tags</c>/<c>tag</c> (quoted string; = !=), <c>attributes</c>/<c>attribute</c>/<c>attr</c>/<c>run</c> with
/// <c>status</c>, <c>run_name</c>, <c>run_id</c> (string; = !=) or <c>start_time</c>/<c>end_time</c> (milliseconds; all six).</item>
/// <item>Keys with other characters are quoted with backticks or double quotes: <c>tags.`mlflow.parentRunId`</c>.</item>
/// <item>A run that lacks the metric, param or tag does not match the clause (MLflow's behaviour).</item>
/// <item><c>OR</c> is refused with MLflow's message ("Invalid clause(s) in filter string: 'OR'").</item>
/// </list>
/// </remarks>
public sealed class RunFilter
{
    private readonly IReadOnlyList<Clause> _clauses;

    private RunFilter(IReadOnlyList<Clause> clauses) => _clauses = clauses;

    /// <summary>The filter that every run matches.</summary>
    public static RunFilter All { get; } = new([]);

    /// <exception cref="TrackingException">The filter is not in the supported subset; the message says where.</exception>
    public static RunFilter Parse(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return All;
        }

        var tokens = Tokenize(filter);
        var clauses = new List<Clause>();
        var i = 0;
        while (true)
        {
            clauses.Add(ParseClause(filter, tokens, ref i));
            if (i == tokens.Count)
            {
                break;
            }

            var joiner = tokens[i];
            if (joiner.Kind == TokenKind.Word && joiner.Text.Equals("AND", StringComparison.OrdinalIgnoreCase))
            {
                i++;
                continue;
            }

            if (joiner.Kind == TokenKind.Word && joiner.Text.Equals("OR", StringComparison.OrdinalIgnoreCase))
            {
                throw TrackingRules.Invalid($"Invalid clause(s) in filter string: '{joiner.Text}'");
            }

            throw TrackingRules.Invalid($"Invalid filter '{filter}': expected AND at position {joiner.Position}, found '{joiner.Text}'.");
        }

        return new RunFilter(clauses);
    }

    public bool Matches(TrackedRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return _clauses.All(c => c.Matches(run));
    }

    private static Clause ParseClause(string filter, List<Token> tokens, ref int i)
    {
        if (i >= tokens.Count || tokens[i].Kind != TokenKind.Word)
        {
            throw TrackingRules.Invalid($"Invalid filter '{filter}': expected an identifier such as metrics.val_mrr at position {(i < tokens.Count ? tokens[i].Position : filter.Length)}.");
        }

        var identifier = tokens[i++];
        var dot = identifier.Text.IndexOf('.', StringComparison.Ordinal);
        string entityWord;
        string key;
        if (dot < 0)
        {
            // "status = 'FINISHED'" is an attribute without its prefix.
            entityWord = "attributes";
            key = identifier.Text;
        }
        else
        {
            entityWord = identifier.Text[..dot];
            key = identifier.Text[(dot + 1)..];
            if (key.Length == 0 && i < tokens.Count && tokens[i].Kind == TokenKind.QuotedKey)
            {
                key = tokens[i++].Text;
            }
        }

        var entity = entityWord.ToLowerInvariant() switch
        {
            "metrics" or "metric" => Entity.Metric,
            "params" or "param" or "parameters" or "parameter" => Entity.Param,
            "tags" or "tag" => Entity.Tag,
            "attributes" or "attribute" or "attr" or "run" => Entity.Attribute,
            _ => throw TrackingRules.Invalid($"Invalid filter '{filter}': unknown entity '{entityWord}' (use metrics., params., tags. or attributes.)."),
        };
        if (key.Length == 0)
        {
            throw TrackingRules.Invalid($"Invalid filter '{filter}': '{identifier.Text}' names no key.");
        }

        if (entity == Entity.Attribute)
        {
            key = key.ToLowerInvariant();
            if (key is not ("status" or "run_name" or "run_id" or "start_time" or "end_time"))
            {
                throw TrackingRules.Invalid($"Invalid filter '{filter}': unsupported attribute '{key}' (status, run_name, run_id, start_time, end_time).");
            }
        }

        if (i >= tokens.Count || tokens[i].Kind != TokenKind.Comparator)
        {
            throw TrackingRules.Invalid($"Invalid filter '{filter}': expected a comparator (= != < <= > >=) after '{identifier.Text}'.");
        }

        var comparator = tokens[i++].Text;
        if (i >= tokens.Count || tokens[i].Kind is not (TokenKind.String or TokenKind.Number or TokenKind.QuotedKey))
        {
            throw TrackingRules.Invalid($"Invalid filter '{filter}': expected a value after '{identifier.Text} {comparator}'.");
        }

        var valueToken = tokens[i++];
        var numeric = entity == Entity.Metric || key is "start_time" or "end_time";
        if (numeric)
        {
            if (valueToken.Kind != TokenKind.Number
                || !double.TryParse(valueToken.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                throw TrackingRules.Invalid($"Invalid filter '{filter}': '{identifier.Text}' is compared with a number, not '{valueToken.Text}'.");
            }

            return new Clause(entity, key, comparator, null, number);
        }

        if (comparator is not ("=" or "!="))
        {
            throw TrackingRules.Invalid($"Invalid filter '{filter}': comparator '{comparator}' is not one of '=', '!=' for '{identifier.Text}'.");
        }

        if (valueToken.Kind == TokenKind.Number)
        {
            throw TrackingRules.Invalid($"Invalid filter '{filter}': the value of '{identifier.Text}' must be a quoted string, e.g. '{valueToken.Text}'.");
        }

        return new Clause(entity, key, comparator, valueToken.Text, 0);
    }

    private static List<Token> Tokenize(string filter)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < filter.Length)
        {
            var c = filter[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            if (c is '\'' or '"' or '`')
            {
                var text = ReadQuoted(filter, ref i);
                // A quoted token right after "entity." is the key; a single-quoted one is always a value.
                var isKey = c != '\'' && tokens.Count > 0 && tokens[^1].Kind == TokenKind.Word && tokens[^1].Text.EndsWith('.');
                tokens.Add(new Token(isKey || c == '`' ? TokenKind.QuotedKey : TokenKind.String, text, start));
                continue;
            }

            if (c is '=' or '!' or '<' or '>')
            {
                var two = i + 1 < filter.Length && filter[i + 1] == '=';
                var op = two ? filter.Substring(i, 2) : filter.Substring(i, 1);
                if (op == "!")
                {
                    throw TrackingRules.Invalid($"Invalid filter '{filter}': '!' at position {i} must be followed by '='.");
                }

                tokens.Add(new Token(TokenKind.Comparator, op == "==" ? "=" : op, start));
                i += op.Length;
                continue;
            }

            if (char.IsDigit(c) || ((c is '-' or '+' or '.') && i + 1 < filter.Length && (char.IsDigit(filter[i + 1]) || filter[i + 1] == '.')))
            {
                i++;
                while (i < filter.Length && (char.IsDigit(filter[i]) || filter[i] is '.' or 'e' or 'E' || (filter[i] is '-' or '+' && filter[i - 1] is 'e' or 'E')))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Number, filter[start..i], start));
                continue;
            }

            if (char.IsLetter(c) || c == '_')
            {
                while (i < filter.Length && (char.IsLetterOrDigit(filter[i]) || filter[i] is '_' or '.' or '-' or '/' or ':'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Word, filter[start..i], start));
                continue;
            }

            throw TrackingRules.Invalid($"Invalid filter '{filter}': unexpected '{c}' at position {i}.");
        }

        return tokens;
    }

    private static string ReadQuoted(string filter, ref int i)
    {
        var quote = filter[i];
        var start = i;
        i++;
        var text = new StringBuilder();
        while (i < filter.Length)
        {
            if (filter[i] == quote)
            {
                // A doubled quote stands for itself.
                if (i + 1 < filter.Length && filter[i + 1] == quote)
                {
                    text.Append(quote);
                    i += 2;
                    continue;
                }

                i++;
                return text.ToString();
            }

            text.Append(filter[i]);
            i++;
        }

        throw TrackingRules.Invalid($"Invalid filter '{filter}': the quote opened at position {start} is not closed.");
    }

    private enum Entity
    {
        Metric,
        Param,
        Tag,
        Attribute,
    }

    private enum TokenKind
    {
        Word,
        QuotedKey,
        String,
        Number,
        Comparator,
    }

    private sealed record Token(TokenKind Kind, string Text, int Position);

    private sealed record Clause(Entity Entity, string Key, string Comparator, string? Text, double Number)
    {
        public bool Matches(TrackedRun run)
        {
            switch (Entity)
            {
                case Entity.Metric:
                    return run.Metrics.TryGetValue(Key, out var value) && Compare(value);
                case Entity.Param:
                    return run.Params.TryGetValue(Key, out var param) && CompareText(param);
                case Entity.Tag:
                    return run.Tags.TryGetValue(Key, out var tag) && CompareText(tag);
                default:
                    return Key switch
                    {
                        "status" => CompareText(RunStatusNames.ToMlflow(run.Status)),
                        "run_name" => run.RunName is { } name && CompareText(name),
                        "run_id" => CompareText(run.RunId),
                        "start_time" => Compare(run.StartTime.ToUnixTimeMilliseconds()),
                        _ => run.EndTime is { } end && Compare(end.ToUnixTimeMilliseconds()),
                    };
            }
        }

        private bool CompareText(string actual)
        {
            var equal = string.Equals(actual, Text, StringComparison.Ordinal);
            return Comparator == "=" ? equal : !equal;
        }

        private bool Compare(double actual) => Comparator switch
        {
            "=" => actual == Number,
            "!=" => actual != Number,
            "<" => actual < Number,
            "<=" => actual <= Number,
            ">" => actual > Number,
            _ => actual >= Number,
        };
    }
}
