using System.Text.RegularExpressions;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Definitions;
using SpotifyBuddies.Workflows.Steps;
using YamlDotNet.RepresentationModel;

namespace SpotifyBuddies.Workflows.Tests.Steps;

/// <summary>
/// The shipped workflow files against the steps' descriptors (independent of the engine's validator): every step is
/// registered, every input exists and required ones are given, and each whole-value expression reads a declared
/// parameter or an earlier step's output of the input's type.
/// </summary>
public sealed partial class ShippedWorkflowsUseTheStepsTests
{
    private static readonly StepCatalog Catalog = new(
    [
        new DataSynthStep(), new DataPrepareStep(), new PairingKnnStep(null!), new TrainingBprStep(null!, null!),
        new ModelEvaluateStep(null!, null!), new ModelRegisterStep(null!, null!),
    ]);

    public static TheoryData<string> Files => ["weekly-retrain.yaml", "knn-refresh.yaml", "sample-data.yaml"];

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_step_input_exists_and_every_expression_fits_its_input(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "workflows", file);
        var yaml = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        Assert.Equal(WorkflowDefinition.CurrentApiVersion, Scalar(root, "apiVersion"));
        var parameters = root.Children.TryGetValue("parameters", out var p) ? (YamlMappingNode)p : new YamlMappingNode();
        var declared = parameters.Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => Enum.Parse<DataType>(Scalar((YamlMappingNode)e.Value, "type"), ignoreCase: true));
        var seen = new Dictionary<string, StepDescriptor>(StringComparer.Ordinal);
        foreach (var stepNode in ((YamlSequenceNode)root["steps"]).Cast<YamlMappingNode>())
        {
            var id = Scalar(stepNode, "id");
            var descriptor = Catalog.Find(Scalar(stepNode, "uses"));
            Assert.True(descriptor is not null, $"{file}: step '{id}' uses an unregistered step");
            var needs = stepNode.Children.TryGetValue("needs", out var n) ? ((YamlSequenceNode)n).Select(x => ((YamlScalarNode)x).Value!).ToHashSet() : [];
            var with = stepNode.Children.TryGetValue("with", out var w) ? (YamlMappingNode)w : new YamlMappingNode();
            var given = with.Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value!);
            foreach (var required in descriptor.Inputs.Where(i => i.Required))
            {
                Assert.True(given.ContainsKey(required.Name), $"{file}: step '{id}' does not give required input '{required.Name}'");
            }

            foreach (var (name, value) in given)
            {
                var input = descriptor.Input(name);
                Assert.True(input is not null, $"{file}: step '{id}' gives '{name}', which {descriptor.Name} does not take");
                var match = WholeExpression().Match(value);
                if (!match.Success)
                {
                    continue;
                }

                var expression = match.Groups[1].Value;
                DataType type;
                if (expression.StartsWith("params.", StringComparison.Ordinal))
                {
                    Assert.True(declared.TryGetValue(expression["params.".Length..], out type), $"{file}: '{expression}' is not a declared parameter");
                }
                else
                {
                    var parts = expression.Split('.');
                    Assert.True(parts is ["steps", _, "outputs", _], $"{file}: unexpected expression '{expression}'");
                    Assert.True(needs.Contains(parts[1]), $"{file}: step '{id}' reads step '{parts[1]}' without needing it");
                    var output = seen[parts[1]].Output(parts[3]);
                    Assert.True(output is not null, $"{file}: step '{parts[1]}' has no output '{parts[3]}'");
                    type = output.Type;
                }

                Assert.True(type == input.Type || (type == DataType.Integer && input.Type == DataType.Number), $"{file}: '{id}.{name}' is a {input.Type}; '{expression}' is a {type}");
            }

            if (stepNode.Children.TryGetValue("if", out var condition))
            {
                var parts = WholeExpression().Match(((YamlScalarNode)condition).Value!).Groups[1].Value.Split('.');
                Assert.Equal(DataType.Boolean, seen[parts[1]].Output(parts[3])!.Type);
            }

            seen[id] = descriptor;
        }
    }

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    [GeneratedRegex(@"^\$\{\{\s*([A-Za-z0-9_.]+)\s*\}\}$")]
    private static partial Regex WholeExpression();
}
