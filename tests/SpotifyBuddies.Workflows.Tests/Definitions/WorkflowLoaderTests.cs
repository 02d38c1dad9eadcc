using System.Text.Json;
using System.Text.Json.Nodes;
using SpotifyBuddies.Workflows.Definitions;

namespace SpotifyBuddies.Workflows.Tests.Definitions;

public sealed class WorkflowLoaderTests
{
    internal const string Yaml = """
        apiVersion: spotifybuddies/v1
        kind: Workflow
        metadata:
          name: weekly-retrain
          description: Retrain every Monday
          labels: {team: ml}
        schedule: { cron: "0 3 * * 1", timezone: Europe/Stockholm }
        concurrency: replace
        parameters:
          epochs: { type: integer, default: 5, description: Training epochs }
          seeds: { type: array, default: [1, 2, 3] }
          raw: { type: string }
        webhook:
          source: alertmanager
          alerts: [BuddiesQualityDrop]
          parameters: { raw: "${{ alert.labels.alertname }}" }
        steps:
          - id: prepare
            uses: data.prepare
            with: { raw: "${{ params.raw }}", seed: 42, rate: 0.5, flag: true, none: null, text: "42", nested: {a: [1, x]} }
            retry: { attempts: 3, backoff: 10s, strategy: fixed }
            timeout: 1h30m
          - id: train
            uses: training.bpr
            needs: prepare
            if: ${{ steps.prepare.outputs.ok }}
            foreach: ${{ params.seeds }}
            max_parallel: 2
            with:
              seed: ${{ item }}
        """;

    internal const string Json = """
        {
          "apiVersion": "spotifybuddies/v1",
          "kind": "Workflow",
          "metadata": { "name": "weekly-retrain", "description": "Retrain every Monday", "labels": { "team": "ml" } },
          "schedule": { "cron": "0 3 * * 1", "timezone": "Europe/Stockholm" },
          "concurrency": "replace",
          "parameters": {
            "epochs": { "type": "integer", "default": 5, "description": "Training epochs" },
            "seeds": { "type": "array", "default": [1, 2, 3] },
            "raw": { "type": "string" }
          },
          "webhook": { "source": "alertmanager", "alerts": ["BuddiesQualityDrop"], "parameters": { "raw": "${{ alert.labels.alertname }}" } },
          "steps": [
            {
              "id": "prepare",
              "uses": "data.prepare",
              "with": { "raw": "${{ params.raw }}", "seed": 42, "rate": 0.5, "flag": true, "none": null, "text": "42", "nested": { "a": [1, "x"] } },
              "retry": { "attempts": 3, "backoff": "10s", "strategy": "fixed" },
              "timeout": "1h30m"
            },
            {
              "id": "train",
              "uses": "training.bpr",
              "needs": ["prepare"],
              "if": "${{ steps.prepare.outputs.ok }}",
              "foreach": "${{ params.seeds }}",
              "max_parallel": 2,
              "with": { "seed": "${{ item }}" }
            }
          ]
        }
        """;

    [Fact]
    public void Parse_YamlAndJson_GiveEqualDefinitions()
    {
        var fromYaml = WorkflowLoader.Parse(Yaml, "w.yaml");
        var fromJson = WorkflowLoader.Parse(Json, "w.json");

        Assert.True(JsonNode.DeepEquals(Canonical(fromYaml), Canonical(fromJson)), $"{Canonical(fromYaml)}\n---\n{Canonical(fromJson)}");
        Assert.Equal("w.yaml", fromYaml.SourceFile);
        Assert.Equal("w.json", fromJson.SourceFile);
    }

    [Fact]
    public void Parse_Yaml_FillsEveryField()
    {
        var d = WorkflowLoader.Parse(Yaml, "w.yaml");

        Assert.Equal(("spotifybuddies/v1", "Workflow", "weekly-retrain"), (d.ApiVersion, d.Kind, d.Name));
        Assert.Equal("ml", d.Metadata.Labels["team"]);
        Assert.Equal(("0 3 * * 1", "Europe/Stockholm"), (d.Schedule!.Cron, d.Schedule.TimeZone));
        Assert.Equal(ConcurrencyPolicy.Replace, d.Concurrency);
        Assert.Equal([DataType.Integer, DataType.Array, DataType.String], d.Parameters.Select(p => p.Type));
        Assert.True(d.FindParameter("epochs")!.HasDefault);
        Assert.False(d.FindParameter("raw")!.HasDefault);
        Assert.Equal(["BuddiesQualityDrop"], d.Webhook!.Alerts);

        var prepare = d.Steps[0];
        Assert.Equal(new RetryPolicy { Attempts = 3, Backoff = TimeSpan.FromSeconds(10), Exponential = false }, prepare.Retry! with { Position = default, AttemptsPosition = default, BackoffPosition = default });
        Assert.Equal(TimeSpan.FromMinutes(90), prepare.Timeout);

        var train = d.Steps[1];
        Assert.Equal(["prepare"], train.Needs.Select(n => n.StepId));
        Assert.Equal("${{ steps.prepare.outputs.ok }}", train.If);
        Assert.Equal("${{ params.seeds }}", train.Foreach!.GetValue<string>());
        Assert.Equal(2, train.MaxParallel);
    }

    [Fact]
    public void Parse_PlainScalars_ResolvePerYamlCoreSchema_AndQuotedStayStrings()
    {
        var with = WorkflowLoader.Parse(Yaml, "w.yaml").Steps[0];

        Assert.Equal(JsonValueKind.Number, with.Input("seed")!.GetValueKind());
        Assert.Equal(42, with.Input("seed")!.GetValue<int>());
        Assert.Equal(0.5, with.Input("rate")!.GetValue<double>());
        Assert.True(with.Input("flag")!.GetValue<bool>());
        Assert.Null(with.Input("none"));
        Assert.Contains(with.With, w => w.Name == "none");
        Assert.Equal(JsonValueKind.String, with.Input("text")!.GetValueKind());
        Assert.Equal("42", with.Input("text")!.GetValue<string>());
        Assert.Equal("""{"a":[1,"x"]}""", with.Input("nested")!.ToJsonString());
    }

    [Theory]
    [InlineData("~", null)]
    [InlineData("Null", null)]
    [InlineData("FALSE", "false")]
    [InlineData("-7", "-7")]
    [InlineData("12345678901", "12345678901")]
    [InlineData("1e3", "1000")]
    [InlineData("0x1F", "31")]
    [InlineData("0o17", "15")]
    [InlineData(".inf", "\".inf\"")]
    [InlineData("yes", "\"yes\"")]
    [InlineData("'true'", "\"true\"")]
    public void Parse_ScalarsInWith_ResolveLikeYaml(string yaml, string? json)
    {
        var text = Minimal($"    with: {{ v: {yaml} }}\n");

        var value = WorkflowLoader.Parse(text, "w.yaml").Steps[0].Input("v");

        Assert.Equal(json, value?.ToJsonString());
    }

    [Fact]
    public void Parse_FillsPositions_OneBasedLineAndColumn()
    {
        var d = WorkflowLoader.Parse(Yaml, "w.yaml");

        Assert.Equal("4:9 7:19 8:14 10:3 10:37 18:5 18:9 19:11 20:13 20:18 21:24 22:14 25:12 26:9 30:7", string.Join(" ", new[] { d.Metadata.NamePosition, d.Schedule!.CronPosition, d.ConcurrencyPosition, d.FindParameter("epochs")!.Position, d.FindParameter("epochs")!.DefaultPosition, d.Steps[0].Position, d.Steps[0].IdPosition, d.Steps[0].UsesPosition, d.Steps[0].With[0].KeyPosition, d.Steps[0].With[0].Position, d.Steps[0].Retry!.AttemptsPosition, d.Steps[0].TimeoutPosition, d.Steps[1].Needs[0].Position, d.Steps[1].IfPosition, d.Steps[1].With[0].KeyPosition }));
    }

    [Fact]
    public void Parse_Json_FillsPositionsToo()
    {
        var d = WorkflowLoader.Parse(Json, "w.json");

        Assert.Equal("4:25 15:13 24:17", string.Join(" ", new[] { d.Metadata.NamePosition, d.Steps[0].IdPosition, d.Steps[1].Needs[0].Position }));
    }

    [Fact]
    public void Parse_YamlSyntaxError_ReportsItsPosition()
    {
        var text = "apiVersion: spotifybuddies/v1\nkind: Workflow\nmetadata: { name: x\nsteps: []\n";

        var error = Assert.Throws<WorkflowDefinitionException>(() => WorkflowLoader.Parse(text, "bad.yaml"));

        var problem = Assert.Single(error.Diagnostics);
        Assert.Equal(DiagnosticCodes.Syntax, problem.Code);
        Assert.Equal("bad.yaml", problem.File);
        Assert.True(problem.Position.Line >= 3, problem.ToString());
        Assert.DoesNotContain("Idx:", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_JsonSyntaxError_ReportsItsPosition()
    {
        var text = "{\n  \"apiVersion\": \"spotifybuddies/v1\",\n  \"kind\" \"Workflow\"\n}";

        var error = Assert.Throws<WorkflowDefinitionException>(() => WorkflowLoader.Parse(text, "bad.json"));

        var problem = Assert.Single(error.Diagnostics);
        Assert.Equal(DiagnosticCodes.Syntax, problem.Code);
        Assert.Equal(new SourcePosition(3, 10), problem.Position);
    }

    [Fact]
    public void Parse_EmptyFile_IsASyntaxError()
    {
        var error = Assert.Throws<WorkflowDefinitionException>(() => WorkflowLoader.Parse("# nothing\n", "empty.yaml"));

        Assert.Equal(DiagnosticCodes.Syntax, Assert.Single(error.Diagnostics).Code);
    }

    [Fact]
    public void Parse_ReportsEveryStructuralProblemAtOnce()
    {
        var text = """
            apiVersion: spotifybuddies/v1
            kind: Workflow
            metadata: { name: x, owner: me }
            concurrency: sometimes
            parameters:
              n: { type: float }
            steps:
              - id: a
                uses: data.prepare
                timout: 5m
                timeout: 5 minutes
                retry: { attempts: three, strategy: linear, backoff: -1s }
                needs: { a: b }
              - just-a-string
            """;

        var error = Assert.Throws<WorkflowDefinitionException>(() => WorkflowLoader.Parse(text, "many.yaml"));

        var found = error.Diagnostics.Select(d => (d.Code, d.Path, d.Position.Line, d.Position.Column)).ToList();
        Assert.Contains((DiagnosticCodes.UnknownField, "metadata.owner", 3, 22), found);
        Assert.Contains((DiagnosticCodes.InvalidValue, "concurrency", 4, 14), found);
        Assert.Contains((DiagnosticCodes.InvalidValue, "parameters.n.type", 6, 14), found);
        Assert.Contains((DiagnosticCodes.UnknownField, "steps[0].timout", 10, 5), found);
        Assert.Contains((DiagnosticCodes.InvalidDuration, "steps[0].timeout", 11, 14), found);
        Assert.Contains((DiagnosticCodes.InvalidValue, "steps[0].retry.attempts", 12, 24), found);
        Assert.Contains((DiagnosticCodes.InvalidValue, "steps[0].retry.strategy", 12, 41), found);
        Assert.Contains((DiagnosticCodes.InvalidDuration, "steps[0].retry.backoff", 12, 58), found);
        Assert.Contains((DiagnosticCodes.WrongNodeKind, "steps[0].needs", 13, 12), found);
        Assert.Contains((DiagnosticCodes.WrongNodeKind, "steps[1]", 14, 5), found);
        Assert.Equal(10, found.Count);
        Assert.Equal(found.OrderBy(f => f.Line).ThenBy(f => f.Column), found);
    }

    [Fact]
    public void Parse_UnknownField_SuggestsTheNearestKnownOne()
    {
        var error = Assert.Throws<WorkflowDefinitionException>(() => WorkflowLoader.Parse(Minimal("    maxparallel: 2\n"), "w.yaml"));

        var problem = Assert.Single(error.Diagnostics);
        Assert.Equal(DiagnosticCodes.UnknownField, problem.Code);
        Assert.Contains("did you mean 'max_parallel'?", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingRequiredFields_AreReported()
    {
        var error = Assert.Throws<WorkflowDefinitionException>(() => WorkflowLoader.Parse("kind: Workflow\nmetadata: {}\nsteps:\n  - uses: x\n", "w.yaml"));

        var paths = error.Diagnostics.Where(d => d.Code == DiagnosticCodes.MissingField).Select(d => d.Path).Order(StringComparer.Ordinal);
        Assert.Equal(["apiVersion", "metadata.name", "steps[0].id"], paths);
    }

    [Fact]
    public void Parse_DuplicateKey_IsReportedAtTheSecondOne()
    {
        var error = Assert.Throws<WorkflowDefinitionException>(() => WorkflowLoader.Parse(Minimal("    uses: data.synth\n"), "w.yaml"));

        var problem = Assert.Single(error.Diagnostics);
        Assert.Equal((DiagnosticCodes.DuplicateKey, "steps[0].uses", 8), (problem.Code, problem.Path, problem.Position.Line));
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("90s", 90_000)]
    [InlineData("5m", 300_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("0s", 0)]
    public void Parse_Durations(string text, long milliseconds)
    {
        var step = WorkflowLoader.Parse(Minimal($"    timeout: {text}\n"), "w.yaml").Steps[0];

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), step.Timeout);
    }

    [Theory]
    [InlineData("30")]
    [InlineData("5 m")]
    [InlineData("1.5h")]
    [InlineData("-5s")]
    [InlineData("5w")]
    [InlineData("99999999999999d")]
    public void Parse_BadDurations_AreReported(string text)
    {
        var error = Assert.Throws<WorkflowDefinitionException>(() => WorkflowLoader.Parse(Minimal($"    timeout: {text}\n"), "w.yaml"));

        var problem = Assert.Single(error.Diagnostics);
        Assert.Equal((DiagnosticCodes.InvalidDuration, "steps[0].timeout", 8, 14), (problem.Code, problem.Path, problem.Position.Line, problem.Position.Column));
    }

    [Fact]
    public void Parse_Defaults_WhenOptionalSectionsAreAbsent()
    {
        var d = WorkflowLoader.Parse(Minimal(""), "w.yaml");

        Assert.Equal(ConcurrencyPolicy.Forbid, d.Concurrency);
        Assert.Null(d.Schedule);
        Assert.Null(d.Webhook);
        Assert.Empty(d.Parameters);
        Assert.Null(d.Steps[0].Retry);
        Assert.Equal("UTC", WorkflowLoader.Parse(Minimal("").Replace("steps:", "schedule: { cron: '* * * * *' }\nsteps:", StringComparison.Ordinal), "w.yaml").Schedule!.TimeZone);
    }

    [Fact]
    public void Parse_AnchorsAndAliases_AreResolved()
    {
        var text = Minimal("    with: &w { a: 1 }\n  - id: b\n    uses: data.prepare\n    with: *w\n");

        var d = WorkflowLoader.Parse(text, "w.yaml");

        Assert.Equal(1, d.Steps[1].Input("a")!.GetValue<int>());
    }

    [Fact]
    public void LoadFile_UsesThePathAsGiven()
    {
        var path = Path.Combine(Path.GetTempPath(), $"wf-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, Json);
        try
        {
            Assert.Equal(path, WorkflowLoader.LoadFile(path).SourceFile);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A one-step workflow; <paramref name="stepExtra"/> adds lines to the step (4-space indented).</summary>
    internal static string Minimal(string stepExtra) =>
        "apiVersion: spotifybuddies/v1\nkind: Workflow\nmetadata:\n  name: w\nsteps:\n  - id: a\n    uses: data.prepare\n" + stepExtra;

    /// <summary>The definition as JSON without the source file and positions, to compare two loads.</summary>
    private static JsonNode Canonical(WorkflowDefinition d)
    {
        var node = JsonSerializer.SerializeToNode(d with { SourceFile = "" })!;
        Strip(node);
        return node;
    }

    private static void Strip(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).Where(k => k.EndsWith("Position", StringComparison.Ordinal)).ToList())
                {
                    obj.Remove(key);
                }

                foreach (var (_, value) in obj)
                {
                    Strip(value);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Strip(item);
                }

                break;
        }
    }
}
