using SpotifyBuddies.Workflows.Definitions;
using SpotifyBuddies.Workflows.Validation;

namespace SpotifyBuddies.Workflows.Tests.Validation;

public sealed class WorkflowValidatorTests
{
    /// <summary>Five header lines, so the first step is on line 6; sections after the steps keep step lines fixed.</summary>
    private static string Workflow(string steps, string after = "") =>
        "apiVersion: spotifybuddies/v1\nkind: Workflow\nmetadata:\n  name: w\nsteps:\n" + steps.TrimEnd('\n') + "\n" + after;

    private static IReadOnlyList<WorkflowDiagnostic> Check(string text)
    {
        var (definition, diagnostics) = WorkflowDocument.Load(text, "w.yaml", TestSteps.Catalog);
        Assert.NotNull(definition);
        return diagnostics;
    }

    /// <summary>Exactly one diagnostic, with this code, line and column (and path, when given).</summary>
    private static WorkflowDiagnostic One(string text, string code, int line, int column, string? path = null)
    {
        var diagnostics = Check(text);
        var d = Assert.Single(diagnostics);
        Assert.Equal((code, line, column), (d.Code, d.Position.Line, d.Position.Column));
        Assert.Equal("w.yaml", d.File);
        if (path is not null)
        {
            Assert.Equal(path, d.Path);
        }

        return d;
    }

    /// <summary>The 1-based line and column where the <paramref name="occurrence"/>-th <paramref name="marker"/> starts.</summary>
    private static (int Line, int Column) Where(string text, string marker, int occurrence = 1)
    {
        var at = -1;
        for (var i = 0; i < occurrence; i++)
        {
            at = text.IndexOf(marker, at + 1, StringComparison.Ordinal);
            Assert.True(at >= 0, $"'{marker}' is not in the text {occurrence} time(s)");
        }

        var line = text[..at].Count(c => c == '\n') + 1;
        return (line, at - text.LastIndexOf('\n', Math.Max(0, at - 1)));
    }

    private static WorkflowDiagnostic One(string text, string code, string marker, string? path = null, int occurrence = 1)
    {
        var (line, column) = Where(text, marker, occurrence);
        return One(text, code, line, column, path);
    }

    private const string Prepare = """
          - id: prep
            uses: data.prepare
            with: { raw: /data/raw }
        """;

    [Fact]
    public void ValidWorkflow_HasNoDiagnostics()
    {
        var text = """
            apiVersion: spotifybuddies/v1
            kind: Workflow
            metadata: { name: weekly-retrain-2 }
            schedule: { cron: "0 3 * * 1", timezone: Europe/Stockholm }
            parameters:
              raw: { type: string }
              epochs: { type: integer, default: 5 }
              rate: { type: number, default: 1 }
              seeds: { type: array, default: [1, 2] }
              strict: { type: boolean, default: false }
              reason: { type: string, default: manual }
            webhook: { source: alertmanager, alerts: [BuddiesQualityDrop], parameters: { reason: "${{ alert.labels.alertname }}" } }
            steps:
              - id: synth
                uses: data.synth
              - id: prep
                uses: data.prepare
                needs: synth
                with: { raw: "${{ steps.synth.outputs.raw_dir }}", rate: "${{ params.rate }}", files: [a.csv, "${{ run.id }}.csv"], flags: { x: 1 } }
                retry: { attempts: 3, backoff: 10s }
                timeout: 2h
              - id: train
                uses: training.bpr
                needs: [prep]
                foreach: ${{ params.seeds }}
                max_parallel: 2
                with:
                  dataset: ${{ steps.prep.outputs.dataset_dir }}
                  epochs: ${{ params.epochs }}
                  seed: ${{ item }}
                  lr: 1
              - id: evaluate
                uses: model.evaluate
                needs: train
                if: ${{ steps.synth.status == 'succeeded' && length(params.raw) > 0 }}
                with: { model: "models/${{ run.workflow }}/${{ run.id }}", strict: "${{ params.strict }}" }
            """;

        Assert.Empty(Check(text));
    }

    [Fact]
    public void ApiVersion_MustBeV1() =>
        One(Workflow(Prepare).Replace("spotifybuddies/v1", "spotifybuddies/v2", StringComparison.Ordinal), DiagnosticCodes.InvalidApiVersion, 1, 13, "apiVersion");

    [Fact]
    public void Kind_MustBeWorkflow() =>
        One(Workflow(Prepare).Replace("kind: Workflow", "kind: Pipeline", StringComparison.Ordinal), DiagnosticCodes.InvalidKind, 2, 7, "kind");

    [Theory]
    [InlineData("Weekly")]
    [InlineData("weekly_retrain")]
    [InlineData("-weekly")]
    [InlineData("weekly-")]
    public void MetadataName_IsLowerCaseWithDashes(string name) =>
        One(Workflow(Prepare).Replace("name: w", $"name: {name}", StringComparison.Ordinal), DiagnosticCodes.InvalidName, 4, 9, "metadata.name");

    [Fact]
    public void NoSteps_IsAnError()
    {
        var d = Assert.Single(Check("apiVersion: spotifybuddies/v1\nkind: Workflow\nmetadata: { name: w }\nsteps: []\n"));
        Assert.Equal(DiagnosticCodes.NoSteps, d.Code);
    }

    [Fact]
    public void DuplicateStepIds_AreReportedAtTheSecond()
    {
        var text = Workflow(Prepare + "\n" + Prepare);
        var d = One(text, DiagnosticCodes.DuplicateStepId, 9, 9, "steps[1].id");
        Assert.Contains("first at line 6", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StepIds_MustBeIdentifiers() =>
        One(Workflow(Prepare.Replace("id: prep", "id: 1prep", StringComparison.Ordinal)), DiagnosticCodes.InvalidStepId, 6, 9, "steps[0].id");

    [Fact]
    public void DuplicateParameters_AreReported()
    {
        var definition = WorkflowLoader.Parse(Workflow(Prepare, "parameters:\n  n: { type: integer }\n"), "w.yaml");
        var twice = definition with { Parameters = [.. definition.Parameters, definition.Parameters[0] with { Position = new SourcePosition(12, 3) }] };

        var d = Assert.Single(new WorkflowValidator(TestSteps.Catalog).Validate(twice));

        Assert.Equal((DiagnosticCodes.DuplicateParameter, 12, 3, "parameters.n"), (d.Code, d.Position.Line, d.Position.Column, d.Path));
        Assert.Contains("first at line 10", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownStep_ListsTheClosestAndTheRegistered()
    {
        var d = One(Workflow(Prepare.Replace("data.prepare", "data.prepair", StringComparison.Ordinal)), DiagnosticCodes.UnknownStep, 7, 11, "steps[0].uses");

        Assert.Contains("no step named 'data.prepair' is registered; did you mean 'data.prepare'?", d.Message, StringComparison.Ordinal);
        Assert.Contains("data: data.prepare, data.synth", d.Message, StringComparison.Ordinal);
        Assert.Contains("training: training.bpr", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownNeeds_IsReportedAtTheName()
    {
        var d = One(Workflow(Prepare + "\n    needs: [synth]"), DiagnosticCodes.UnknownNeeds, 9, 13, "steps[0].needs[0]");
        Assert.Contains("'synth'", d.Message, StringComparison.Ordinal);

        var diagnostics = Check(Workflow(Prepare + "\n  - id: x\n    uses: data.synth\n    needs: [prepp]"));
        Assert.Contains("did you mean 'prep'?", Assert.Single(diagnostics).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CyclicNeeds_ShowTheCycle()
    {
        var steps = """
              - id: a
                uses: data.synth
                needs: c
              - id: b
                uses: data.synth
                needs: a
              - id: c
                uses: data.synth
                needs: [b]
            """;

        var d = One(Workflow(steps), DiagnosticCodes.CyclicNeeds, 11, 12, "steps[1].needs[0]");

        Assert.Equal("cyclic needs: a → c → b → a", d.Message);
    }

    [Fact]
    public void SelfNeed_IsACycle()
    {
        var d = One(Workflow(Prepare + "\n    needs: prep"), DiagnosticCodes.CyclicNeeds, 9, 12);
        Assert.Equal("cyclic needs: prep → prep", d.Message);
    }

    [Fact]
    public void MissingRequiredInput_IsReportedAtTheStep()
    {
        var d = One(Workflow("  - id: prep\n    uses: data.prepare\n    with: { seed: 1 }"), DiagnosticCodes.MissingInput, 6, 5, "steps[0].with");
        Assert.Contains("needs input 'raw' (string)", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownInput_IsReportedAtItsName()
    {
        var d = One(Workflow(Prepare.Replace("{ raw: /data/raw }", "{ raw: /data/raw, sead: 1 }", StringComparison.Ordinal)), DiagnosticCodes.UnknownInput, 8, 29, "steps[0].with.sead");
        Assert.Contains("did you mean 'seed'?", d.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("seed: five")]
    [InlineData("seed: 1.5")]
    [InlineData("seed: '7'")]
    [InlineData("rate: high")]
    [InlineData("files: a.csv")]
    [InlineData("files: [a.csv, 3]")] // the item's path: files[1]
    [InlineData("flags: [1]")]
    [InlineData("raw: null")]
    public void LiteralTypeMismatch_IsReportedAtTheValue(string input)
    {
        var with = input.StartsWith("raw", StringComparison.Ordinal) ? $"{{ {input} }}" : $"{{ raw: x, {input} }}";
        var text = Workflow($"  - id: prep\n    uses: data.prepare\n    with: {with}");
        var value = input[(input.IndexOf(' ', StringComparison.Ordinal) + 1)..];

        var d = One(text, DiagnosticCodes.TypeMismatch, value);

        Assert.StartsWith($"steps[0].with.{input[..input.IndexOf(':', StringComparison.Ordinal)]}", d.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void TypeMismatch_NamesTheInputTypeAndValue()
    {
        var d = One(Workflow("  - id: prep\n    uses: data.prepare\n    with: { raw: x, seed: five }"), DiagnosticCodes.TypeMismatch, 8, 27, "steps[0].with.seed");
        Assert.Equal("input 'seed' of data.prepare is integer, found \"five\" (string)", d.Message);
    }

    [Fact]
    public void IntegerIsAcceptedWhereANumberIsExpected() =>
        Assert.Empty(Check(Workflow("  - id: prep\n    uses: data.prepare\n    with: { raw: x, rate: 1, seed: 2.0 }")));

    [Fact]
    public void ParameterDefault_MustHaveTheDeclaredType()
    {
        var d = One(Workflow(Prepare, "parameters:\n  epochs: { type: integer, default: many }\n"), DiagnosticCodes.InvalidDefault, 10, 37, "parameters.epochs.default");
        Assert.Equal("parameter 'epochs' is integer, but its default \"many\" is string", d.Message);
    }

    [Fact]
    public void ParameterDefault_CannotBeAnExpression() =>
        One(Workflow(Prepare, "parameters:\n  when: { type: string, default: \"${{ run.id }}\" }\n"), DiagnosticCodes.ExpressionNotAllowed, 10, 34);

    [Fact]
    public void RequiredParameters_WithoutDefault_AreAllowed() =>
        Assert.Empty(Check(Workflow(Prepare.Replace("/data/raw", "\"${{ params.raw }}\"", StringComparison.Ordinal), "parameters:\n  raw: { type: string }\n")));

    [Fact]
    public void ExpressionOfKnownType_IsChecked_ForParameters()
    {
        var text = Workflow("  - id: prep\n    uses: data.prepare\n    with: { raw: x, seed: \"${{ params.name }}\" }", "parameters:\n  name: { type: string, default: a }\n");

        var d = One(text, DiagnosticCodes.TypeMismatch, "\"${{ params.name", "steps[0].with.seed");
        Assert.Contains("(string)", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpressionOfKnownType_IsChecked_ForStepOutputs()
    {
        var steps = """
              - id: train
                uses: training.bpr
                with: { dataset: d }
              - id: again
                uses: training.bpr
                needs: train
                with: { dataset: d, epochs: "${{ steps.train.outputs.loss }}", lr: "${{ steps.train.outputs.loss }}" }
            """;

        var d = One(Workflow(steps), DiagnosticCodes.TypeMismatch, "\"${{ steps.train.outputs.loss", "steps[1].with.epochs");
        Assert.Contains("(number)", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InterpolatedString_IsAString() =>
        One(Workflow("  - id: prep\n    uses: data.prepare\n    with: { raw: x, seed: \"4${{ run.id }}\" }"), DiagnosticCodes.TypeMismatch, "\"4$");

    [Fact]
    public void BadExpressionSyntax_IsReportedAtTheValue()
    {
        var d = One(Workflow("  - id: prep\n    uses: data.prepare\n    with:\n      raw: ${{ params.raw = 1 }}"), DiagnosticCodes.ExpressionSyntax, 9, 12, "steps[0].with.raw");
        Assert.Contains("compare with '=='", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadConditionSyntax_IsReportedAtTheCondition() =>
        One(Workflow(Prepare + "\n    if: ${{ (true }}"), DiagnosticCodes.ExpressionSyntax, 9, 9, "steps[0].if");

    [Fact]
    public void UnknownParameter_IsReported()
    {
        var text = Workflow(Prepare.Replace("/data/raw", "\"${{ params.rwa }}\"", StringComparison.Ordinal), "parameters:\n  raw: { type: string }\n");

        var d = One(text, DiagnosticCodes.UnknownParameter, 8, 18, "steps[0].with.raw");
        Assert.Equal("params.rwa: no parameter 'rwa' is declared; did you mean 'raw'?", d.Message);
    }

    [Fact]
    public void NestedReference_PathPointsInsideTheValue()
    {
        var d = One(Workflow("  - id: prep\n    uses: data.prepare\n    with: { raw: x, files: [a, \"${{ params.nope }}\"] }"), DiagnosticCodes.UnknownParameter, "[a,");
        Assert.Equal("steps[0].with.files[1]", d.Path);
    }

    [Fact]
    public void StepReference_NeedsTheStepThroughNeeds()
    {
        var steps = """
              - id: synth
                uses: data.synth
              - id: prep
                uses: data.prepare
                with: { raw: "${{ steps.synth.outputs.raw_dir }}" }
            """;

        var d = One(Workflow(steps), DiagnosticCodes.ReferenceNotNeeded, 10, 18, "steps[1].with.raw");
        Assert.Contains("step 'prep' reads step 'synth', which it does not need", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StepReference_ThroughTransitiveNeeds_IsFine()
    {
        var steps = """
              - id: synth
                uses: data.synth
              - id: prep
                uses: data.prepare
                needs: synth
                with: { raw: "${{ steps.synth.outputs.raw_dir }}" }
              - id: train
                uses: training.bpr
                needs: prep
                if: ${{ steps.synth.status == 'succeeded' }}
                with: { dataset: "${{ steps.synth.outputs.raw_dir }}" }
            """;

        Assert.Empty(Check(Workflow(steps)));
    }

    [Fact]
    public void StepReference_InCondition_IsCheckedToo() =>
        One(Workflow(Prepare + "\n  - id: train\n    uses: training.bpr\n    if: ${{ steps.prep.outputs.rows > 0 }}\n    with: { dataset: d }"),
            DiagnosticCodes.ReferenceNotNeeded, 11, 9, "steps[1].if");

    [Fact]
    public void StepReference_ToAnUnknownStep() =>
        One(Workflow(Prepare + "\n  - id: train\n    uses: training.bpr\n    needs: prep\n    with: { dataset: \"${{ steps.prepp.outputs.dataset_dir }}\" }"),
            DiagnosticCodes.UnknownStepReference, 12, 22);

    [Fact]
    public void UnknownOutput_ListsTheOutputs()
    {
        var d = One(Workflow(Prepare + "\n  - id: train\n    uses: training.bpr\n    needs: prep\n    with: { dataset: \"${{ steps.prep.outputs.dataset }}\" }"),
            DiagnosticCodes.UnknownOutput, 12, 22, "steps[1].with.dataset");

        Assert.Equal("steps.prep.outputs.dataset: data.prepare has no output 'dataset'; did you mean 'dataset_dir'?; outputs: dataset_dir, rows", d.Message);
    }

    [Theory]
    [InlineData("steps.prep")]
    [InlineData("steps.prep.result")]
    [InlineData("run.name")]
    [InlineData("alert.labels.x")]
    public void InvalidReferences_AreReported(string expression) =>
        One(Workflow(Prepare + $"\n  - id: train\n    uses: training.bpr\n    needs: prep\n    with: {{ dataset: \"${{{{ {expression} }}}}\" }}"),
            DiagnosticCodes.InvalidReference, 12, 22);

    [Theory]
    [InlineData("item")]
    [InlineData("index")]
    [InlineData("item.seed")]
    public void ItemAndIndex_OutsideForeach_AreReported(string expression) =>
        One(Workflow($"  - id: prep\n    uses: data.prepare\n    with: {{ raw: x, seed: \"${{{{ {expression} }}}}\" }}"), DiagnosticCodes.ItemOutsideForeach, 8, 27);

    [Fact]
    public void Item_InTheIfOfAForeachStep_IsReported() =>
        One(Workflow(Prepare + "\n    foreach: [1, 2]\n    if: ${{ item > 1 }}"), DiagnosticCodes.ItemOutsideForeach, 10, 9, "steps[0].if");

    [Fact]
    public void Item_TakesTheTypeOfALiteralForeachList() =>
        One(Workflow("  - id: prep\n    uses: data.prepare\n    foreach: [a, b]\n    with: { raw: x, seed: \"${{ item }}\" }"), DiagnosticCodes.TypeMismatch, 9, 27);

    [Theory]
    [InlineData("0 3 * *", "has 4 field(s)")]
    [InlineData("61 * * * *", "not a valid cron expression")]
    [InlineData("* * * * * * *", "has 7 field(s)")]
    public void InvalidCron_IsReported(string cron, string message)
    {
        var d = One(Workflow(Prepare, $"schedule: {{ cron: \"{cron}\" }}\n"), DiagnosticCodes.InvalidCron, 9, 19, "schedule.cron");
        Assert.Contains(message, d.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*/30 * * * * *")]
    [InlineData("0 3 * * MON")]
    [InlineData("@daily")]
    public void ValidCron_WithSecondsOrMacros(string cron) =>
        Assert.Empty(Check(Workflow(Prepare, $"schedule: {{ cron: \"{cron}\", timezone: America/New_York }}\n")));

    [Fact]
    public void UnknownTimeZone_IsReported() =>
        One(Workflow(Prepare, "schedule: { cron: \"0 3 * * *\", timezone: Mars/Olympus }\n"), DiagnosticCodes.UnknownTimeZone, "Mars", "schedule.timezone");

    [Theory]
    [InlineData("{ attempts: 0 }", DiagnosticCodes.InvalidRetryAttempts, 24)]
    [InlineData("{ attempts: 21 }", DiagnosticCodes.InvalidRetryAttempts, 24)]
    [InlineData("{ attempts: 2, backoff: 0s }", DiagnosticCodes.InvalidBackoff, 36)]
    public void RetryLimits(string retry, string code, int column) =>
        One(Workflow(Prepare + $"\n    retry: {retry}"), code, 9, column);

    [Fact]
    public void ZeroTimeout_IsReported() =>
        One(Workflow(Prepare + "\n    timeout: 0ms"), DiagnosticCodes.InvalidTimeout, 9, 14, "steps[0].timeout");

    [Fact]
    public void MaxParallel_BelowOne_IsReported() =>
        One(Workflow(Prepare + "\n    foreach: [1]\n    max_parallel: 0"), DiagnosticCodes.InvalidMaxParallel, 10, 19, "steps[0].max_parallel");

    [Fact]
    public void MaxParallel_WithoutForeach_IsReported()
    {
        var d = One(Workflow(Prepare + "\n    max_parallel: 2"), DiagnosticCodes.InvalidMaxParallel, 9, 19);
        Assert.Contains("no foreach", d.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("seeds")]
    [InlineData("3")]
    [InlineData("{ a: 1 }")]
    [InlineData("\"x-${{ params.seeds }}\"")]
    [InlineData("${{ params.name }}")]
    public void Foreach_MustBeAListOrAnExpression(string value) =>
        One(Workflow(Prepare + $"\n    foreach: {value}", "parameters:\n  seeds: { type: array, default: [] }\n  name: { type: string, default: x }\n"),
            DiagnosticCodes.InvalidForeach, 9, 14, "steps[0].foreach");

    [Fact]
    public void Foreach_OverAnUnknownParameter_IsReported() =>
        One(Workflow(Prepare + "\n    foreach: ${{ params.nope }}"), DiagnosticCodes.UnknownParameter, 9, 14, "steps[0].foreach");

    [Fact]
    public void WebhookSource_MustBeAlertmanager() =>
        One(Workflow(Prepare, "webhook: { source: github, alerts: [x] }\n"), DiagnosticCodes.UnknownWebhookSource, 9, 20, "webhook.source");

    [Fact]
    public void Webhook_WithoutAlerts_IsReported() =>
        One(Workflow(Prepare, "webhook: { source: alertmanager }\n"), DiagnosticCodes.WebhookWithoutAlerts, 9, 10);

    [Fact]
    public void WebhookParameters_MustBeDeclared()
    {
        var text = Workflow(Prepare, "webhook:\n  source: alertmanager\n  alerts: [Drop]\n  parameters: { reason: \"${{ alert.labels.alertname }}\" }\n");

        var d = One(text, DiagnosticCodes.UnknownParameter, 12, 17, "webhook.parameters.reason");
        Assert.Contains("parameter 'reason', which is not declared", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WebhookParameters_ReadOnlyTheAlert() =>
        One(Workflow(Prepare, "parameters: { reason: { type: string } }\nwebhook: { source: alertmanager, alerts: [Drop], parameters: { reason: \"${{ params.reason }}\" } }\n"),
            DiagnosticCodes.InvalidReference, "\"${{ params.reason");

    [Fact]
    public void SeveralErrors_AreAllReported_InFileOrder()
    {
        var text = """
            apiVersion: spotifybuddies/v2
            kind: Workflow
            metadata: { name: Bad_Name }
            schedule: { cron: "0 3 * *", timezone: Nowhere/City }
            parameters:
              epochs: { type: integer, default: lots }
            steps:
              - id: prep
                uses: data.prepair
              - id: train
                uses: training.bpr
                needs: [prep, ghost]
                with: { epochs: "${{ params.epoch }}", lr: fast }
                retry: { attempts: 50 }
              - id: prep
                uses: model.evaluate
                with: { model: "${{ steps.train.outputs.model_dir }}" }
            """;

        var found = Check(text).Select(d => (d.Code, d.Position.Line, d.Position.Column)).ToList();

        Assert.Equal(
        [
            (DiagnosticCodes.InvalidApiVersion, 1, 13),
            (DiagnosticCodes.InvalidName, 3, 19),
            (DiagnosticCodes.InvalidCron, 4, 19),
            (DiagnosticCodes.UnknownTimeZone, 4, 40),
            (DiagnosticCodes.InvalidDefault, 6, 37),
            (DiagnosticCodes.UnknownStep, 9, 11),
            (DiagnosticCodes.MissingInput, 10, 5),
            (DiagnosticCodes.UnknownNeeds, 12, 19),
            (DiagnosticCodes.UnknownParameter, 13, 21),
            (DiagnosticCodes.TypeMismatch, 13, 48),
            (DiagnosticCodes.InvalidRetryAttempts, 14, 24),
            (DiagnosticCodes.DuplicateStepId, 15, 9),
            (DiagnosticCodes.ReferenceNotNeeded, 17, 20),
        ],
        found);
    }

    [Fact]
    public void Document_ReturnsStructuralProblemsWithoutThrowing()
    {
        var (definition, diagnostics) = WorkflowDocument.Load("apiVersion: [", "broken.yaml", TestSteps.Catalog);

        Assert.Null(definition);
        Assert.Equal(DiagnosticCodes.Syntax, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Document_UnreadableFile_IsADiagnostic()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.yaml");

        var (definition, diagnostics) = WorkflowDocument.LoadFile(path, TestSteps.Catalog);

        Assert.Null(definition);
        var d = Assert.Single(diagnostics);
        Assert.Equal((DiagnosticCodes.UnreadableFile, path), (d.Code, d.File));
    }

    [Fact]
    public void Diagnostic_PrintsFileLineColumnCodePathMessage()
    {
        var d = One(Workflow(Prepare + "\n    timeout: 0s"), DiagnosticCodes.InvalidTimeout, 9, 14);

        Assert.Equal("w.yaml:9:14: invalid-timeout: steps[0].timeout: timeout must be longer than zero, found 0s", d.ToString());
    }

    [Fact]
    public void JsonFiles_GetTheSameDiagnostics()
    {
        var json = """
            {"apiVersion": "spotifybuddies/v1", "kind": "Workflow", "metadata": {"name": "w"},
             "steps": [{"id": "prep", "uses": "data.prepare", "with": {"raw": "x", "seed": "five"}}]}
            """;

        var (_, diagnostics) = WorkflowDocument.Load(json, "w.json", TestSteps.Catalog);

        var d = Assert.Single(diagnostics);
        Assert.Equal((DiagnosticCodes.TypeMismatch, 2, 80, "steps[0].with.seed"), (d.Code, d.Position.Line, d.Position.Column, d.Path));
    }
}
