using System.Text.Json.Nodes;

namespace SpotifyBuddies.Workflows.Expressions;

/// <summary>
/// What expressions can read: <c>params.x</c>, <c>steps.id.outputs.y</c> (and <c>steps.id.status</c>),
/// <c>item</c> and <c>index</c> inside a foreach step, <c>run.id</c>, <c>run.workflow</c>, and for webhook
/// parameter mappings <c>alert.*</c>.
/// </summary>
public sealed record ExpressionScope
{
    public JsonObject Params { get; init; } = [];

    /// <summary>Per step id: <c>{ "outputs": {…}, "status": "succeeded" }</c>.</summary>
    public JsonObject Steps { get; init; } = [];

    public JsonNode? Item { get; init; }

    public int? Index { get; init; }

    public JsonObject Run { get; init; } = [];

    public JsonObject? Alert { get; init; }
}
