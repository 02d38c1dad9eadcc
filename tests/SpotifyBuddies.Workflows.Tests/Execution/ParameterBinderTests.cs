using System.Text.Json.Nodes;
using SpotifyBuddies.Workflows.Definitions;
using SpotifyBuddies.Workflows.Execution;

namespace SpotifyBuddies.Workflows.Tests.Execution;

public sealed class ParameterBinderTests
{
    private static readonly WorkflowDefinition Definition = new()
    {
        SourceFile = "w.yaml",
        ApiVersion = WorkflowDefinition.CurrentApiVersion,
        Kind = WorkflowDefinition.WorkflowKind,
        Metadata = new WorkflowMetadata { Name = "w" },
        Parameters =
        [
            new ParameterDefinition { Name = "epochs", Type = DataType.Integer, Default = JsonValue.Create(5), HasDefault = true },
            new ParameterDefinition { Name = "lr", Type = DataType.Number, Default = JsonValue.Create(0.005), HasDefault = true },
            new ParameterDefinition { Name = "raw", Type = DataType.String, Description = "the raw data root" },
            new ParameterDefinition { Name = "seeds", Type = DataType.Array, Default = new JsonArray(1, 2), HasDefault = true },
            new ParameterDefinition { Name = "dry", Type = DataType.Boolean, Default = JsonValue.Create(false), HasDefault = true },
        ],
    };

    [Fact]
    public void Bind_FillsDefaults_AndKeepsOverrides()
    {
        var bound = ParameterBinder.Bind(Definition, new Dictionary<string, JsonNode?> { ["raw"] = "/data", ["epochs"] = 9 });

        Assert.Equal(9, bound["epochs"]!.GetValue<int>());
        Assert.Equal(0.005, bound["lr"]!.GetValue<double>());
        Assert.Equal("/data", bound["raw"]!.GetValue<string>());
        Assert.Equal("[1,2]", bound["seeds"]!.ToJsonString());
    }

    [Fact]
    public void Bind_ReportsEveryProblemAtOnce()
    {
        var error = Assert.Throws<WorkflowParameterException>(() => ParameterBinder.Bind(Definition, new Dictionary<string, JsonNode?>
        {
            ["epochs"] = 2.5,
            ["lr"] = "fast",
            ["bogus"] = 1,
        }));

        Assert.Equal(4, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.StartsWith("'bogus' is not a parameter of workflow 'w'", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("'epochs' must be an integer, got 2.5", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("'lr' must be a number, got \"fast\"", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("'raw' is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Bind_AcceptsAnIntegerForANumber_AndAWholeDoubleForAnInteger()
    {
        var bound = ParameterBinder.Bind(Definition, new Dictionary<string, JsonNode?> { ["raw"] = "r", ["lr"] = 1, ["epochs"] = 3.0 });

        Assert.Equal(1, bound["lr"]!.GetValue<int>());
        Assert.Equal(3.0, bound["epochs"]!.GetValue<double>());
    }

    [Fact]
    public void FromStrings_ParsesByDeclaredType()
    {
        var values = ParameterBinder.FromStrings(Definition, new Dictionary<string, string>
        {
            ["epochs"] = "12",
            ["lr"] = "0.1",
            ["raw"] = "12",
            ["seeds"] = "[3, 4, 5]",
            ["dry"] = "true",
        });

        Assert.Equal(12L, values["epochs"]!.GetValue<long>());
        Assert.Equal(0.1, values["lr"]!.GetValue<double>());
        Assert.Equal("12", values["raw"]!.GetValue<string>());
        Assert.Equal(3, values["seeds"]!.AsArray().Count);
        Assert.True(values["dry"]!.GetValue<bool>());
    }

    [Fact]
    public void FromStrings_RejectsValuesThatDoNotParse()
    {
        var error = Assert.Throws<WorkflowParameterException>(() => ParameterBinder.FromStrings(Definition, new Dictionary<string, string>
        {
            ["epochs"] = "ten",
            ["seeds"] = "{\"a\": 1}",
            ["dry"] = "yes",
            ["nope"] = "1",
        }));

        Assert.Equal(4, error.Errors.Count);
        Assert.Contains("'epochs' must be an integer, got 'ten'", error.Errors);
        Assert.Contains("'seeds' must be an array, got '{\"a\": 1}'", error.Errors);
        Assert.Contains("'dry' must be a boolean, got 'yes'", error.Errors);
    }
}
