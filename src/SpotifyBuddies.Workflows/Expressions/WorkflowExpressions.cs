using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SpotifyBuddies.Workflows.Definitions;

namespace SpotifyBuddies.Workflows.Expressions;

/// <summary>
/// Expressions <c>${{ … }}</c> in workflow values: evaluation against an <see cref="ExpressionScope"/> at run time,
/// and analysis without a scope (what a value reads, which expressions do not parse, what type a value has) for
/// the validator.
/// </summary>
public static class WorkflowExpressions
{
    /// <summary>
    /// Evaluates every expression in <paramref name="value"/>, deeply. A string that is exactly one expression
    /// becomes the expression's value with its type (number, boolean, array, object, null); a string with text
    /// around expressions becomes a string (numbers invariant, booleans lower-case, null empty). The result is a
    /// fresh node, never one attached to the scope or to <paramref name="value"/>.
    /// </summary>
    /// <exception cref="ExpressionException">An expression does not parse, or reads something the scope lacks.</exception>
    public static JsonNode? Evaluate(JsonNode? value, ExpressionScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        switch (value)
        {
            case null:
                return null;
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (key, item) in obj)
                {
                    result[key] = Evaluate(item, scope);
                }

                return result;
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array)
                {
                    items.Add(Evaluate(item, scope));
                }

                return items;
            case JsonValue text when text.GetValueKind() == JsonValueKind.String:
                return EvaluateString(text.GetValue<string>(), scope);
            default:
                return value.DeepClone();
        }
    }

    /// <summary>
    /// Evaluates a condition (<c>${{ steps.evaluate.outputs.passed }}</c> or <c>steps.evaluate.outputs.passed</c>)
    /// to its truthiness: false, null, 0 and "" are false, anything else is true.
    /// </summary>
    /// <exception cref="ExpressionException">The condition does not parse, or reads something the scope lacks.</exception>
    public static bool EvaluateCondition(string condition, ExpressionScope scope)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(scope);
        var part = ParseCondition(condition);
        return ExpressionEvaluator.IsTruthy(Run(part, scope));
    }

    /// <summary>True when <paramref name="text"/> holds at least one <c>${{</c>.</summary>
    public static bool ContainsExpression(string? text) => text is not null && ExpressionTemplate.ContainsExpression(text);

    /// <summary>True when <paramref name="text"/> is exactly one <c>${{ … }}</c> (whitespace around it aside), so its value keeps the expression's type.</summary>
    public static bool IsSingleExpression(string? text) =>
        text is not null && ExpressionTemplate.ContainsExpression(text) && ExpressionTemplate.Parse(text).Single is not null;

    /// <summary>What the expressions in <paramref name="value"/> (deeply) read, and which do not parse.</summary>
    public static ExpressionAnalysis Analyze(JsonNode? value)
    {
        var references = new List<ExpressionReference>();
        var errors = new List<ExpressionError>();
        foreach (var (location, text) in Strings(value, ""))
        {
            foreach (var part in ExpressionTemplate.Parse(text).Parts.Where(p => p.IsExpression))
            {
                Collect(part, location, references, errors);
            }
        }

        return new ExpressionAnalysis(references, errors);
    }

    /// <summary>As <see cref="Analyze"/>, for a condition (with or without the <c>${{ }}</c> wrapper).</summary>
    public static ExpressionAnalysis AnalyzeCondition(string condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var references = new List<ExpressionReference>();
        var errors = new List<ExpressionError>();
        Collect(ParseCondition(condition), "", references, errors);
        return new ExpressionAnalysis(references, errors);
    }

    public static IReadOnlyList<ExpressionReference> References(JsonNode? value) => Analyze(value).References;

    public static IReadOnlyList<ExpressionError> ParseErrors(JsonNode? value) => Analyze(value).Errors;

    /// <summary>
    /// The type <paramref name="value"/> has once evaluated, when it can be known without a scope: literals by
    /// their JSON kind (whole numbers are integers), interpolated strings are strings, and a string that is one
    /// expression has the expression's type: comparisons, <c>!</c>, <c>contains</c>, <c>startsWith</c> give
    /// booleans, <c>length</c> an integer, <c>format</c>/<c>join</c>/<c>toJSON</c> strings, and a path what
    /// <paramref name="resolve"/> says. Null when unknown (or for a null literal).
    /// </summary>
    public static DataType? InferType(JsonNode? value, Func<ExpressionReference, DataType?> resolve)
    {
        ArgumentNullException.ThrowIfNull(resolve);
        switch (value)
        {
            case null:
                return null;
            case JsonObject:
                return DataType.Object;
            case JsonArray:
                return DataType.Array;
        }

        switch (value.GetValueKind())
        {
            case JsonValueKind.True or JsonValueKind.False:
                return DataType.Boolean;
            case JsonValueKind.Number:
                var number = double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
                return number == Math.Floor(number) && !double.IsInfinity(number) ? DataType.Integer : DataType.Number;
            case JsonValueKind.String:
                var template = ExpressionTemplate.Parse(value.GetValue<string>());
                if (!template.HasExpressions)
                {
                    return DataType.String;
                }

                if (template.Single is not { } single)
                {
                    return DataType.String;
                }

                return single.Tree is null ? null : TypeOf(single.Tree, single.Expression!, resolve);
            default:
                return null;
        }
    }

    /// <summary>The JSON Schema type name (<c>integer</c>, <c>string</c>, …).</summary>
    public static string TypeName(DataType type) => type.ToString().ToLowerInvariant();

    private static JsonNode? EvaluateString(string text, ExpressionScope scope)
    {
        if (!ExpressionTemplate.ContainsExpression(text))
        {
            return JsonValue.Create(text);
        }

        var template = ExpressionTemplate.Parse(text);
        if (template.Single is { } single)
        {
            return Run(single, scope)?.DeepClone();
        }

        var result = new StringBuilder();
        foreach (var part in template.Parts)
        {
            result.Append(part.IsExpression ? ExpressionEvaluator.ToText(Run(part, scope)) : part.Text);
        }

        return JsonValue.Create(result.ToString());
    }

    private static JsonNode? Run(TemplatePart part, ExpressionScope scope) =>
        part.Tree is { } tree
            ? new ExpressionEvaluator(part.Expression!, scope).Evaluate(tree)
            : throw new ExpressionException(part.Expression ?? "", part.Error ?? "does not parse");

    /// <summary>A condition is one expression, wrapped in <c>${{ }}</c> or not; text around the wrapper is refused (it would always be true).</summary>
    private static TemplatePart ParseCondition(string condition)
    {
        if (!ExpressionTemplate.ContainsExpression(condition))
        {
            return ExpressionTemplate.ParseExpression(condition.Trim());
        }

        var template = ExpressionTemplate.Parse(condition);
        return template.Single ?? new TemplatePart(null, condition.Trim(),
            Error: "a condition must be one expression; text outside '${{ }}' would make it a string that is always true");
    }

    private static void Collect(TemplatePart part, string location, List<ExpressionReference> references, List<ExpressionError> errors)
    {
        if (part.Tree is null)
        {
            errors.Add(new ExpressionError(location, part.Expression ?? "", part.Error ?? "does not parse"));
            return;
        }

        Walk(part.Tree, part.Expression!, location, references);
    }

    private static void Walk(Expr expr, string text, string location, List<ExpressionReference> references)
    {
        if (PathOf(expr, text, location) is { } reference)
        {
            references.Add(reference);
            return;
        }

        switch (expr)
        {
            case MemberExpr member:
                Walk(member.Target, text, location, references);
                break;
            case IndexExpr index:
                Walk(index.Target, text, location, references);
                Walk(index.Index, text, location, references);
                break;
            case NotExpr not:
                Walk(not.Operand, text, location, references);
                break;
            case BinaryExpr binary:
                Walk(binary.Left, text, location, references);
                Walk(binary.Right, text, location, references);
                break;
            case CallExpr call:
                foreach (var argument in call.Arguments)
                {
                    Walk(argument, text, location, references);
                }

                break;
        }
    }

    /// <summary>A chain of names and literal indexes from a root, or null.</summary>
    private static ExpressionReference? PathOf(Expr expr, string text, string location)
    {
        var members = new List<string>();
        while (true)
        {
            switch (expr)
            {
                case NameExpr name:
                    members.Reverse();
                    return new ExpressionReference(location, text, name.Name, members);
                case MemberExpr member:
                    members.Add(member.Name);
                    expr = member.Target;
                    break;
                case IndexExpr { Index: LiteralExpr { Value: string or int or long } literal } index:
                    members.Add(Convert.ToString(literal.Value, CultureInfo.InvariantCulture)!);
                    expr = index.Target;
                    break;
                default:
                    return null;
            }
        }
    }

    private static DataType? TypeOf(Expr expr, string text, Func<ExpressionReference, DataType?> resolve)
    {
        if (PathOf(expr, text, "") is { } reference)
        {
            return resolve(reference);
        }

        return expr switch
        {
            LiteralExpr { Value: string } => DataType.String,
            LiteralExpr { Value: bool } => DataType.Boolean,
            LiteralExpr { Value: int or long } => DataType.Integer,
            LiteralExpr { Value: double } => DataType.Number,
            NotExpr => DataType.Boolean,
            BinaryExpr { Operator: "&&" or "||" } binary =>
                TypeOf(binary.Left, text, resolve) is { } left && left == TypeOf(binary.Right, text, resolve) ? left : null,
            BinaryExpr => DataType.Boolean,
            CallExpr { Function: "contains" or "startsWith" or "endsWith" } => DataType.Boolean,
            CallExpr { Function: "length" } => DataType.Integer,
            CallExpr => DataType.String,
            _ => null,
        };
    }

    /// <summary>Every string in a value with its location.</summary>
    private static IEnumerable<(string Location, string Text)> Strings(JsonNode? value, string location)
    {
        switch (value)
        {
            case JsonObject obj:
                foreach (var (key, item) in obj)
                {
                    foreach (var inner in Strings(item, $"{location}.{key}"))
                    {
                        yield return inner;
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var inner in Strings(array[i], $"{location}[{i}]"))
                    {
                        yield return inner;
                    }
                }

                break;
            case JsonValue text when text.GetValueKind() == JsonValueKind.String:
                yield return (location, text.GetValue<string>());
                break;
        }
    }
}
