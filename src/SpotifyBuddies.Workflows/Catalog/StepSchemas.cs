using System.Text.Json.Nodes;
using SpotifyBuddies.Workflows.Definitions;

namespace SpotifyBuddies.Workflows.Catalog;

/// <summary>
/// A step's inputs and outputs as JSON Schema (2020-12) objects, for the API's catalog and the designer:
/// each port's type, description, default and item type; required inputs; no inputs beyond the declared ones.
/// </summary>
public static class StepSchemas
{
    public const string Dialect = "https://json-schema.org/draft/2020-12/schema";

    public static JsonObject Inputs(StepDescriptor d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var schema = Schema(d, "inputs", d.Inputs, d.Inputs.Where(p => p.Required));
        schema["additionalProperties"] = false;
        return schema;
    }

    public static JsonObject Outputs(StepDescriptor d)
    {
        ArgumentNullException.ThrowIfNull(d);
        // A step returns every declared output.
        return Schema(d, "outputs", d.Outputs, d.Outputs);
    }

    private static JsonObject Schema(StepDescriptor d, string what, IReadOnlyList<StepPort> ports, IEnumerable<StepPort> required)
    {
        var properties = new JsonObject();
        foreach (var port in ports)
        {
            var property = new JsonObject
            {
                ["type"] = TypeName(port.Type),
                ["description"] = port.Description,
            };
            if (port.ItemType is { } item && port.Type == DataType.Array)
            {
                property["items"] = new JsonObject { ["type"] = TypeName(item) };
            }

            if (port.Default is not null)
            {
                property["default"] = port.Default.DeepClone();
            }

            properties[port.Name] = property;
        }

        return new JsonObject
        {
            ["$schema"] = Dialect,
            ["title"] = $"{d.Name} {what}",
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = new JsonArray([.. required.Select(p => (JsonNode)JsonValue.Create(p.Name))]),
        };
    }

    private static string TypeName(DataType type) => type.ToString().ToLowerInvariant();
}
