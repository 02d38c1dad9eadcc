using System.Text.Json.Nodes;
using SpotifyBuddies.Workflows.Catalog;

namespace SpotifyBuddies.Workflows.Tests.Validation;

public sealed class StepSchemasTests
{
    private static StepDescriptor Prepare => TestSteps.Catalog.Find("data.prepare")!;

    [Fact]
    public void Inputs_IsAClosedJsonSchemaObject_WithTypesDefaultsItemsAndRequired()
    {
        var schema = StepSchemas.Inputs(Prepare);

        Assert.Equal(StepSchemas.Dialect, schema["$schema"]!.GetValue<string>());
        Assert.Equal("object", schema["type"]!.GetValue<string>());
        Assert.False(schema["additionalProperties"]!.GetValue<bool>());
        Assert.Equal("""["raw"]""", schema["required"]!.ToJsonString());
        var properties = schema["properties"]!.AsObject();
        Assert.Equal(["raw", "seed", "rate", "files", "flags"], properties.Select(p => p.Key));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"integer","description":"Split seed","default":42}"""), properties["seed"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"type":"array","description":"Files to read","items":{"type":"string"}}"""), properties["files"]));
        Assert.Equal("number", properties["rate"]!["type"]!.GetValue<string>());
        Assert.Equal(0.1, properties["rate"]!["default"]!.GetValue<double>());
    }

    [Fact]
    public void Outputs_ListsEveryOutputAsRequired()
    {
        var schema = StepSchemas.Outputs(Prepare);

        Assert.Equal("""["dataset_dir","rows"]""", schema["required"]!.ToJsonString());
        Assert.Equal("integer", schema["properties"]!["rows"]!["type"]!.GetValue<string>());
        Assert.Null(schema["additionalProperties"]);
    }

    [Fact]
    public void Schemas_AreFreshNodes_NotTheDescriptorsDefaults()
    {
        var first = StepSchemas.Inputs(Prepare);
        first["properties"]!["seed"]!["default"] = 7;

        Assert.Equal(42, StepSchemas.Inputs(Prepare)["properties"]!["seed"]!["default"]!.GetValue<int>());
        Assert.Equal(42, Prepare.Input("seed")!.Default!.GetValue<int>());
    }
}
