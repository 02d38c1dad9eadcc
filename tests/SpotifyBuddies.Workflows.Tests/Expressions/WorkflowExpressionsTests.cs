using System.Text.Json;
using System.Text.Json.Nodes;
using SpotifyBuddies.Workflows.Definitions;
using SpotifyBuddies.Workflows.Expressions;

namespace SpotifyBuddies.Workflows.Tests.Expressions;

public sealed class WorkflowExpressionsTests
{
    private static ExpressionScope Scope(JsonNode? item = null, int? index = null) => new()
    {
        Params = new JsonObject
        {
            ["epochs"] = 5,
            ["rate"] = 0.25,
            ["name"] = "bpr",
            ["on"] = true,
            ["off"] = false,
            ["empty"] = "",
            ["nothing"] = null,
            ["seeds"] = new JsonArray(1, 2, 3),
            ["config"] = new JsonObject { ["k"] = 10, ["tags"] = new JsonArray("a", "b") },
        },
        Steps = new JsonObject
        {
            ["knn-refresh"] = new JsonObject { ["status"] = "succeeded", ["outputs"] = new JsonObject { ["pools"] = 75, ["dir"] = "/w/pools" } },
            ["train"] = new JsonObject { ["status"] = "succeeded", ["outputs"] = new JsonObject { ["mrr"] = 0.31, ["passed"] = true } },
        },
        Run = new JsonObject { ["id"] = "r-1", ["workflow"] = "weekly-retrain" },
        Item = item,
        Index = index,
    };

    private static JsonNode? Eval(string text, ExpressionScope? scope = null) => WorkflowExpressions.Evaluate(JsonValue.Create(text), scope ?? Scope());

    [Theory]
    [InlineData("${{ params.epochs }}", "5", JsonValueKind.Number)]
    [InlineData("${{ params.rate }}", "0.25", JsonValueKind.Number)]
    [InlineData("${{ params.on }}", "true", JsonValueKind.True)]
    [InlineData("${{ params.seeds }}", "[1,2,3]", JsonValueKind.Array)]
    [InlineData("${{ params.config }}", """{"k":10,"tags":["a","b"]}""", JsonValueKind.Object)]
    [InlineData("  ${{ params.epochs }}  ", "5", JsonValueKind.Number)]
    [InlineData("${{ 42 }}", "42", JsonValueKind.Number)]
    [InlineData("${{ -1.5 }}", "-1.5", JsonValueKind.Number)]
    [InlineData("${{ 'it''s' }}", "\"it\\u0027s\"", JsonValueKind.String)]
    [InlineData("${{ \"a\\\"b\" }}", "\"a\\u0022b\"", JsonValueKind.String)]
    [InlineData("${{ steps.knn-refresh.outputs.pools }}", "75", JsonValueKind.Number)]
    [InlineData("${{ steps.train.status }}", "\"succeeded\"", JsonValueKind.String)]
    [InlineData("${{ params.config.tags[1] }}", "\"b\"", JsonValueKind.String)]
    [InlineData("${{ params['config']['k'] }}", "10", JsonValueKind.Number)]
    [InlineData("${{ run.workflow }}", "\"weekly-retrain\"", JsonValueKind.String)]
    public void Evaluate_WholeExpression_KeepsTheType(string text, string json, JsonValueKind kind)
    {
        var value = Eval(text);

        Assert.Equal(kind, value!.GetValueKind());
        Assert.Equal(json, value.ToJsonString());
    }

    [Fact]
    public void Evaluate_WholeExpressionOfNull_IsNull()
    {
        Assert.Null(Eval("${{ params.nothing }}"));
        Assert.Null(Eval("${{ null }}"));
    }

    [Theory]
    [InlineData("run ${{ run.id }} of ${{ run.workflow }}", "run r-1 of weekly-retrain")]
    [InlineData("e=${{ params.epochs }} r=${{ params.rate }}", "e=5 r=0.25")]
    [InlineData("${{ params.on }}/${{ params.off }}", "true/false")]
    [InlineData("[${{ params.nothing }}]", "[]")]
    [InlineData("seeds=${{ params.seeds }}", "seeds=[1,2,3]")]
    [InlineData("no expressions here", "no expressions here")]
    [InlineData("${{ format('{0}}}', params.name) }}!", "bpr}!")]
    public void Evaluate_Interpolation_MakesAString(string text, string expected)
    {
        Assert.Equal(expected, Eval(text)!.GetValue<string>());
    }

    [Fact]
    public void Evaluate_IsDeep_AndReturnsFreshNodes()
    {
        var scope = Scope();
        var value = JsonNode.Parse("""{"a": "${{ params.config }}", "b": ["${{ params.epochs }}", "x-${{ params.name }}", 7, null, true]}""");

        var result = WorkflowExpressions.Evaluate(value, scope)!;

        Assert.Equal("""{"a":{"k":10,"tags":["a","b"]},"b":[5,"x-bpr",7,null,true]}""", result.ToJsonString());
        Assert.Null(result.Parent);
        result["a"]!["k"] = 99;
        Assert.Equal(10, scope.Params["config"]!["k"]!.GetValue<int>());
        Assert.NotSame(value, result);

        var whole = WorkflowExpressions.Evaluate(JsonValue.Create("${{ params.seeds }}"), scope)!;
        Assert.Null(whole.Parent);
        var attached = new JsonObject { ["seeds"] = whole };
        Assert.Same(attached, whole.Parent);
        Assert.NotSame(scope.Params["seeds"], whole);
    }

    [Fact]
    public void Evaluate_ItemAndIndex_InsideForeach()
    {
        var scope = Scope(item: new JsonObject { ["seed"] = 7 }, index: 2);

        Assert.Equal(7, Eval("${{ item.seed }}", scope)!.GetValue<int>());
        Assert.Equal("item-2", Eval("item-${{ index }}", scope)!.GetValue<string>());
        Assert.Null(Eval("${{ item }}", Scope(item: null, index: 0)));
    }

    [Fact]
    public void Evaluate_Alert_InWebhookScope()
    {
        var scope = Scope() with { Alert = new JsonObject { ["labels"] = new JsonObject { ["alertname"] = "BuddiesQualityDrop" } } };

        Assert.Equal("BuddiesQualityDrop", Eval("${{ alert.labels.alertname }}", scope)!.GetValue<string>());
    }

    [Theory]
    [InlineData("1 == 1.0", true)]
    [InlineData("'a' == 'A'", false)]
    [InlineData("params.name != 'bpr'", false)]
    [InlineData("params.epochs > 3", true)]
    [InlineData("params.epochs >= 5", true)]
    [InlineData("params.epochs < 5", false)]
    [InlineData("params.rate <= 0.25", true)]
    [InlineData("'abc' < 'abd'", true)]
    [InlineData("!params.on", false)]
    [InlineData("!!params.name", true)]
    [InlineData("true || false && false", true)]
    [InlineData("(true || false) && false", false)]
    [InlineData("1 < 2 == true", true)]
    [InlineData("!false == true", true)]
    [InlineData("params.nothing == null", true)]
    [InlineData("params.seeds == params.seeds", true)]
    [InlineData("contains(params.seeds, 2)", true)]
    [InlineData("contains(params.seeds, 4)", false)]
    [InlineData("contains(params.name, 'p')", true)]
    [InlineData("startsWith(steps.knn-refresh.outputs.dir, '/w/')", true)]
    [InlineData("endsWith(params.name, 'x')", false)]
    [InlineData("length(params.seeds) == 3", true)]
    [InlineData("length(params.name) == 3", true)]
    [InlineData("format('{0}-{1}', params.name, params.epochs) == 'bpr-5'", true)]
    [InlineData("join(params.config.tags, '+') == 'a+b'", true)]
    [InlineData("steps.train.outputs.passed && steps.train.outputs.mrr > 0.3", true)]
    public void EvaluateCondition_Operators(string condition, bool expected)
    {
        Assert.Equal(expected, WorkflowExpressions.EvaluateCondition(condition, Scope()));
        Assert.Equal(expected, WorkflowExpressions.EvaluateCondition($"${{{{ {condition} }}}}", Scope()));
    }

    [Theory]
    [InlineData("params.off", false)]
    [InlineData("params.nothing", false)]
    [InlineData("0", false)]
    [InlineData("0.0", false)]
    [InlineData("params.empty", false)]
    [InlineData("params.on", true)]
    [InlineData("params.epochs", true)]
    [InlineData("params.name", true)]
    [InlineData("params.seeds", true)]
    [InlineData("params.config", true)]
    public void EvaluateCondition_Truthiness(string condition, bool expected)
    {
        Assert.Equal(expected, WorkflowExpressions.EvaluateCondition(condition, Scope()));
    }

    [Fact]
    public void Evaluate_OrAndReturnOperands_ForFallbacks()
    {
        Assert.Equal("fallback", Eval("${{ params.empty || 'fallback' }}")!.GetValue<string>());
        Assert.Equal(5, Eval("${{ params.on && params.epochs }}")!.GetValue<int>());
    }

    [Theory]
    [InlineData("${{ steps.train.outputs.model_dir }}", "steps.train.outputs.model_dir: step 'train' has no output 'model_dir' (has: mrr, passed)")]
    [InlineData("${{ params.missing }}", "params.missing: no parameter 'missing'")]
    [InlineData("${{ steps.evaluate.outputs.passed }}", "steps.evaluate.outputs.passed: no result for step 'evaluate'")]
    [InlineData("${{ item }}", "item: 'item' is only set inside a foreach step")]
    [InlineData("${{ index }}", "index: 'index' is only set inside a foreach step")]
    [InlineData("${{ alert.labels.x }}", "'alert' is only set in a webhook's parameter mappings")]
    [InlineData("${{ params.seeds[5] }}", "params.seeds has 3 item(s), no index 5")]
    [InlineData("${{ params.nothing.x }}", "params.nothing is null, so it has no 'x'")]
    [InlineData("${{ params.epochs.x }}", "params.epochs is a number, not an object")]
    [InlineData("${{ params.name < 3 }}", "'<' compares two numbers or two strings, not a string and a number")]
    [InlineData("${{ length(params.epochs) }}", "length() measures a string, an array or an object, not a number")]
    [InlineData("${{ format('{1}', 1) }}", "uses {1} but only 1 value(s) follow it")]
    [InlineData("${{ run.nope }}", "the run has no 'nope'")]
    public void Evaluate_MissingData_ThrowsNamingTheExpression(string text, string message)
    {
        var error = Assert.Throws<ExpressionException>(() => Eval(text));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith(error.Expression, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("${{ params.x ", "is not closed")]
    [InlineData("${{ }}", "empty")]
    [InlineData("${{ params. }}", "expected a name after '.'")]
    [InlineData("${{ foo.bar }}", "unknown name 'foo'")]
    [InlineData("${{ nope(1) }}", "unknown function 'nope'")]
    [InlineData("${{ length(1, 2) }}", "length() takes 1 argument(s), got 2")]
    [InlineData("${{ params.x = 1 }}", "compare with '=='")]
    [InlineData("${{ (true }}", "expected ')'")]
    [InlineData("${{ 'open }}", "not closed")]
    [InlineData("${{ 1 2 }}", "unexpected '2' at column 3")]
    [InlineData("${{ params.x # }}", "unexpected character '#'")]
    public void SyntaxErrors_ThrowAtRunTime_AndAreListedStatically(string text, string message)
    {
        var error = Assert.Throws<ExpressionException>(() => Eval(text));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);

        var found = Assert.Single(WorkflowExpressions.ParseErrors(JsonValue.Create(text)));
        Assert.Contains(message, found.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Condition_WithTextAroundTheWrapper_IsRefused()
    {
        var error = Assert.Throws<ExpressionException>(() => WorkflowExpressions.EvaluateCondition("${{ params.off }} == true", Scope()));

        Assert.Contains("a condition must be one expression", error.Message, StringComparison.Ordinal);
        Assert.Single(WorkflowExpressions.AnalyzeCondition("${{ params.off }} == true").Errors);
    }

    [Fact]
    public void References_FindEveryPath_WithItsLocation()
    {
        var value = JsonNode.Parse("""
            {"a": "${{ params.x }}-${{ steps.knn-refresh.outputs.pools }}",
             "b": ["${{ contains(params.tags, item.name) && !steps.train.status }}"],
             "c": "${{ params.list[params.i] }}", "d": "${{ alert.labels['severity'] }}"}
            """);

        var found = WorkflowExpressions.References(value).Select(r => $"{r.Location} {r.Path}");

        Assert.Equal(
            [".a params.x", ".a steps.knn-refresh.outputs.pools", ".b[0] params.tags", ".b[0] item.name", ".b[0] steps.train.status",
             ".c params.list", ".c params.i", ".d alert.labels.severity"],
            found);
    }

    [Theory]
    [InlineData("5", DataType.Integer)]
    [InlineData("5.0", DataType.Integer)]
    [InlineData("5.5", DataType.Number)]
    [InlineData("\"x\"", DataType.String)]
    [InlineData("true", DataType.Boolean)]
    [InlineData("[1]", DataType.Array)]
    [InlineData("{}", DataType.Object)]
    [InlineData("\"n=${{ params.n }}\"", DataType.String)]
    [InlineData("\"${{ params.n }}\"", DataType.Integer)]
    [InlineData("\"${{ params.n > 1 }}\"", DataType.Boolean)]
    [InlineData("\"${{ length(params.s) }}\"", DataType.Integer)]
    [InlineData("\"${{ format('{0}', 1) }}\"", DataType.String)]
    [InlineData("\"${{ 'a' }}\"", DataType.String)]
    [InlineData("\"${{ 1.5 }}\"", DataType.Number)]
    [InlineData("\"${{ params.n || params.n }}\"", DataType.Integer)]
    [InlineData("\"${{ params.n || 'x' }}\"", null)]
    [InlineData("\"${{ params.other }}\"", null)]
    [InlineData("null", null)]
    public void InferType_LiteralsAndExpressions(string json, DataType? expected)
    {
        DataType? Resolve(ExpressionReference r) => r.Path == "params.n" ? DataType.Integer : null;

        Assert.Equal(expected, WorkflowExpressions.InferType(JsonNode.Parse(json), Resolve));
    }

    [Fact]
    public void IsSingleExpression_OnlyForOneWrappedExpression()
    {
        Assert.True(WorkflowExpressions.IsSingleExpression(" ${{ params.x }} "));
        Assert.False(WorkflowExpressions.IsSingleExpression("a ${{ params.x }}"));
        Assert.False(WorkflowExpressions.IsSingleExpression("${{ a }}${{ b }}"));
        Assert.False(WorkflowExpressions.IsSingleExpression("params.x"));
    }
}
