using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SpotifyBuddies.Workflows.Expressions;

/// <summary>
/// Evaluates one parsed expression against a scope. Values come back as they are in the scope (the caller clones);
/// <c>&amp;&amp;</c> and <c>||</c> return an operand (so <c>params.x || 'fallback'</c> works), comparisons return booleans.
/// </summary>
internal sealed class ExpressionEvaluator(string expression, ExpressionScope scope)
{
    public JsonNode? Evaluate(Expr expr) => Eval(expr).Value;

    public static bool IsTruthy(JsonNode? value) => value switch
    {
        null => false,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.False => false,
            JsonValueKind.True => true,
            JsonValueKind.String => v.GetValue<string>().Length > 0,
            JsonValueKind.Number => Number(v) != 0,
            JsonValueKind.Null => false,
            _ => true,
        },
        _ => true,
    };

    /// <summary>The text of a value inside an interpolated string: numbers in invariant form, booleans lower-case, null empty, arrays and objects as JSON.</summary>
    public static string ToText(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Null => "",
        _ => value.ToJsonString(),
    };

    public static JsonNode? Literal(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        _ => throw new InvalidOperationException($"unexpected literal {value.GetType().Name}"),
    };

    private static double Number(JsonNode value) => double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static JsonValueKind Kind(JsonNode? value) => value?.GetValueKind() ?? JsonValueKind.Null;

    private static string KindName(JsonNode? value) => Kind(value) switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private ExpressionException Fail(string problem) => new(expression, problem);

    /// <summary>A value and, for paths, its dotted text (for messages).</summary>
    private (JsonNode? Value, string? Path) Eval(Expr expr) => expr switch
    {
        LiteralExpr literal => (Literal(literal.Value), null),
        NameExpr name => (Root(name.Name), name.Name),
        MemberExpr member => Member(member),
        IndexExpr index => Index(index),
        NotExpr not => (JsonValue.Create(!IsTruthy(Eval(not.Operand).Value)), null),
        BinaryExpr binary => (Binary(binary), null),
        CallExpr call => (Call(call), null),
        _ => throw new InvalidOperationException($"unexpected node {expr.GetType().Name}"),
    };

    private JsonNode? Root(string name) => name switch
    {
        "params" => scope.Params,
        "steps" => scope.Steps,
        "run" => scope.Run,
        "item" => scope.Index.HasValue ? scope.Item : throw Fail("'item' is only set inside a foreach step"),
        "index" => scope.Index is { } index ? JsonValue.Create(index) : throw Fail("'index' is only set inside a foreach step"),
        "alert" => scope.Alert ?? throw Fail("'alert' is only set in a webhook's parameter mappings"),
        _ => throw Fail($"unknown name '{name}'"),
    };

    private (JsonNode?, string?) Member(MemberExpr member)
    {
        var (target, path) = Eval(member.Target);
        return (Field(target, path, member.Name), Extend(path, member.Name));
    }

    private (JsonNode?, string?) Index(IndexExpr index)
    {
        var (target, path) = Eval(index.Target);
        var key = Eval(index.Index).Value;
        switch (Kind(key))
        {
            case JsonValueKind.String:
                var name = key!.GetValue<string>();
                return (Field(target, path, name), path is null ? null : $"{path}['{name}']");
            case JsonValueKind.Number when target is JsonArray array:
                var number = Number(key!);
                if (number != Math.Floor(number))
                {
                    throw Fail($"index {ToText(key)} is not a whole number");
                }

                if (number < 0 || number >= array.Count)
                {
                    throw Fail($"{path ?? "the array"} has {array.Count} item(s), no index {ToText(key)}");
                }

                return (array[(int)number], path is null ? null : $"{path}[{ToText(key)}]");
            case JsonValueKind.Number:
                throw Fail($"{path ?? "the value"} is {KindName(target)}, not an array, so it has no index {ToText(key)}");
            default:
                throw Fail($"an index must be a number or a string, found {KindName(key)}");
        }
    }

    private JsonNode? Field(JsonNode? target, string? path, string name)
    {
        if (target is JsonObject obj)
        {
            if (obj.TryGetPropertyValue(name, out var value))
            {
                return value;
            }

            throw Fail(Missing(path, name, obj));
        }

        throw Fail(target is null
            ? $"{path ?? "the value"} is null, so it has no '{name}'"
            : $"{path ?? "the value"} is {KindName(target)}, not an object, so it has no '{name}'");
    }

    /// <summary>Says what is missing in the scope's own words: a parameter, a step's result, an output, an alert label.</summary>
    private static string Missing(string? path, string name, JsonObject obj)
    {
        var segments = path?.Split('.') ?? [];
        var known = obj.Count == 0 ? "" : $" (has: {string.Join(", ", obj.Select(p => p.Key))})";
        return segments switch
        {
            ["params"] => $"no parameter '{name}'{known}",
            ["steps"] => $"no result for step '{name}': it has not run, or is not in this run",
            ["steps", var step] => $"step '{step}' has no '{name}'{known}",
            ["steps", var step, "outputs"] => $"step '{step}' has no output '{name}'{known}",
            ["run"] => $"the run has no '{name}'{known}",
            ["alert", "labels"] => $"the alert has no label '{name}'{known}",
            ["alert", "annotations"] => $"the alert has no annotation '{name}'{known}",
            _ => $"{path ?? "the object"} has no '{name}'{known}",
        };
    }

    private static string? Extend(string? path, string name) => path is null ? null : $"{path}.{name}";

    private JsonNode? Binary(BinaryExpr binary)
    {
        switch (binary.Operator)
        {
            case "&&":
                var left = Eval(binary.Left).Value;
                return IsTruthy(left) ? Eval(binary.Right).Value : left;
            case "||":
                var first = Eval(binary.Left).Value;
                return IsTruthy(first) ? first : Eval(binary.Right).Value;
        }

        var a = Eval(binary.Left).Value;
        var b = Eval(binary.Right).Value;
        return JsonValue.Create(binary.Operator switch
        {
            "==" => JsonEquals(a, b),
            "!=" => !JsonEquals(a, b),
            "<" => Compare(a, b, binary.Operator) < 0,
            "<=" => Compare(a, b, binary.Operator) <= 0,
            ">" => Compare(a, b, binary.Operator) > 0,
            _ => Compare(a, b, binary.Operator) >= 0,
        });
    }

    /// <summary>Numbers compare by value (1 == 1.0), strings ordinally, arrays and objects deeply; no conversions between kinds.</summary>
    public static bool JsonEquals(JsonNode? a, JsonNode? b)
    {
        var (ka, kb) = (Kind(a), Kind(b));
        if (ka == JsonValueKind.Number && kb == JsonValueKind.Number)
        {
            return Number(a!) == Number(b!);
        }

        if (ka == JsonValueKind.String && kb == JsonValueKind.String)
        {
            return string.Equals(a!.GetValue<string>(), b!.GetValue<string>(), StringComparison.Ordinal);
        }

        return ka == kb && JsonNode.DeepEquals(a, b);
    }

    private int Compare(JsonNode? a, JsonNode? b, string op)
    {
        var (ka, kb) = (Kind(a), Kind(b));
        if (ka == JsonValueKind.Number && kb == JsonValueKind.Number)
        {
            return Number(a!).CompareTo(Number(b!));
        }

        if (ka == JsonValueKind.String && kb == JsonValueKind.String)
        {
            return string.CompareOrdinal(a!.GetValue<string>(), b!.GetValue<string>());
        }

        throw Fail($"'{op}' compares two numbers or two strings, not {KindName(a)} and {KindName(b)}");
    }

    private JsonValue Call(CallExpr call)
    {
        var args = call.Arguments.Select(a => Eval(a).Value).ToList();
        switch (call.Function)
        {
            case "contains":
                return JsonValue.Create(args[0] switch
                {
                    null => false,
                    JsonArray array => array.Any(item => JsonEquals(item, args[1])),
                    JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().Contains(ToText(args[1]), StringComparison.Ordinal),
                    var other => throw Fail($"contains() searches a string or an array, not {KindName(other)}"),
                });
            case "startsWith":
                return JsonValue.Create(ToText(args[0]).StartsWith(ToText(args[1]), StringComparison.Ordinal));
            case "endsWith":
                return JsonValue.Create(ToText(args[0]).EndsWith(ToText(args[1]), StringComparison.Ordinal));
            case "length":
                return JsonValue.Create(args[0] switch
                {
                    null => 0,
                    JsonArray array => array.Count,
                    JsonObject obj => obj.Count,
                    JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().Length,
                    var other => throw Fail($"length() measures a string, an array or an object, not {KindName(other)}"),
                });
            case "format":
                return JsonValue.Create(Format(args));
            case "join":
                var separator = args.Count > 1 ? ToText(args[1]) : ",";
                return JsonValue.Create(args[0] switch
                {
                    null => "",
                    JsonArray array => string.Join(separator, array.Select(ToText)),
                    var single => ToText(single),
                });
            default:
                return JsonValue.Create(args[0]?.ToJsonString() ?? "null");
        }
    }

    /// <summary><c>format('{0}-{1}', a, b)</c>; <c>{{</c> and <c>}}</c> stand for braces.</summary>
    private string Format(List<JsonNode?> args)
    {
        var pattern = Kind(args[0]) == JsonValueKind.String ? args[0]!.GetValue<string>() : throw Fail($"format() needs a string pattern, not {KindName(args[0])}");
        var text = new StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if ((c == '{' || c == '}') && i + 1 < pattern.Length && pattern[i + 1] == c)
            {
                text.Append(c);
                i++;
            }
            else if (c == '{')
            {
                var end = pattern.IndexOf('}', i);
                if (end < 0 || !int.TryParse(pattern.AsSpan(i + 1, end - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    throw Fail($"format() pattern '{pattern}' has a '{{' at {i} that is not '{{n}}' or '{{{{'");
                }

                if (n + 1 >= args.Count)
                {
                    throw Fail($"format() pattern '{pattern}' uses {{{n}}} but only {args.Count - 1} value(s) follow it");
                }

                text.Append(ToText(args[n + 1]));
                i = end;
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }
}
