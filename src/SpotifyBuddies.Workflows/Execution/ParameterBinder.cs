using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SpotifyBuddies.Workflows.Definitions;

namespace SpotifyBuddies.Workflows.Execution;

/// <summary>
/// Merges a run's parameter overrides with the definition's declared parameters: every override must be declared
/// and of its type, every parameter without a default must be given. All problems are reported at once.
/// </summary>
public static class ParameterBinder
{
    /// <exception cref="WorkflowParameterException">Unknown, mistyped or missing parameters.</exception>
    public static JsonObject Bind(WorkflowDefinition definition, IReadOnlyDictionary<string, JsonNode?> overrides)
    {
        var errors = new List<string>();
        foreach (var name in overrides.Keys.Where(n => definition.FindParameter(n) is null).Order(StringComparer.Ordinal))
        {
            errors.Add($"'{name}' is not a parameter of workflow '{definition.Name}' (declared: {Declared(definition)})");
        }

        var bound = new JsonObject();
        foreach (var parameter in definition.Parameters)
        {
            if (overrides.TryGetValue(parameter.Name, out var value))
            {
                if (!Fits(value, parameter.Type))
                {
                    errors.Add($"'{parameter.Name}' must be {Describe(parameter.Type)}, got {Render(value)}");
                    continue;
                }

                bound[parameter.Name] = value?.DeepClone();
            }
            else if (parameter.HasDefault)
            {
                bound[parameter.Name] = parameter.Default?.DeepClone();
            }
            else
            {
                errors.Add($"'{parameter.Name}' is required ({Describe(parameter.Type)}; {parameter.Description ?? "no default"})");
            }
        }

        return errors.Count > 0 ? throw new WorkflowParameterException(errors) : bound;
    }

    /// <summary>
    /// Turns <c>name=value</c> strings (from the command line) into typed overrides using the declared types:
    /// integers, numbers and booleans are parsed; arrays and objects are read as JSON; strings are taken as they are.
    /// </summary>
    /// <exception cref="WorkflowParameterException">A value that does not parse as its declared type, or an unknown name.</exception>
    public static IReadOnlyDictionary<string, JsonNode?> FromStrings(WorkflowDefinition definition, IReadOnlyDictionary<string, string> values)
    {
        var errors = new List<string>();
        var result = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (name, text) in values)
        {
            if (definition.FindParameter(name) is not { } parameter)
            {
                errors.Add($"'{name}' is not a parameter of workflow '{definition.Name}' (declared: {Declared(definition)})");
                continue;
            }

            JsonNode? value = parameter.Type switch
            {
                DataType.String => JsonValue.Create(text),
                DataType.Integer when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
                DataType.Number when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
                DataType.Boolean when bool.TryParse(text, out var b) => JsonValue.Create(b),
                DataType.Array or DataType.Object => TryParseJson(text),
                _ => null,
            };
            if (value is null || !Fits(value, parameter.Type))
            {
                errors.Add($"'{name}' must be {Describe(parameter.Type)}, got '{text}'");
                continue;
            }

            result[name] = value;
        }

        return errors.Count > 0 ? throw new WorkflowParameterException(errors) : result;
    }

    /// <summary>Whether a JSON value has the declared type (an integer fits a number).</summary>
    public static bool Fits(JsonNode? value, DataType type) => value switch
    {
        null => false,
        JsonArray => type == DataType.Array,
        JsonObject => type == DataType.Object,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => type == DataType.String,
            JsonValueKind.True or JsonValueKind.False => type == DataType.Boolean,
            JsonValueKind.Number => type == DataType.Number || (type == DataType.Integer && IsInteger(v)),
            _ => false,
        },
        _ => false,
    };

    private static bool IsInteger(JsonValue value) =>
        value.TryGetValue<long>(out _) || value.TryGetValue<int>(out _) ||
        (value.TryGetValue<double>(out var d) && Math.Floor(d) == d && Math.Abs(d) < 9e15);

    private static JsonNode? TryParseJson(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Declared(WorkflowDefinition definition) =>
        definition.Parameters.Count == 0 ? "none" : string.Join(", ", definition.Parameters.Select(p => p.Name));

    private static string Describe(DataType type) => type switch
    {
        DataType.Integer => "an integer",
        DataType.Array => "an array",
        DataType.Object => "an object",
        _ => "a " + type.ToString().ToLowerInvariant(),
    };

    private static string Render(JsonNode? value) => value is null ? "null" : value.ToJsonString();
}
