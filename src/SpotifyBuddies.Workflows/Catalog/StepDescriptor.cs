using System.Text.Json.Nodes;
using SpotifyBuddies.Workflows.Definitions;

namespace SpotifyBuddies.Workflows.Catalog;

/// <summary>The queues steps run on: heavy work is kept off <see cref="Default"/>.</summary>
public static class StepQueues
{
    public const string DataPrep = "dataprep";
    public const string Training = "training";
    public const string Default = "default";

    public static readonly IReadOnlyList<string> All = [Training, DataPrep, Default];
}

/// <summary>One typed input or output of a step.</summary>
/// <param name="Default">Used when a workflow does not give the input (inputs only).</param>
/// <param name="Required">An input the workflow must give (never true together with a default).</param>
/// <param name="ItemType">For arrays: the items' type, when known.</param>
public sealed record StepPort(
    string Name,
    DataType Type,
    string Description,
    bool Required = false,
    JsonNode? Default = null,
    DataType? ItemType = null);

/// <summary>What a registered step is, for the validator, the API's catalog and the designer.</summary>
public sealed record StepDescriptor
{
    /// <summary>The name workflows use in <c>uses</c>, e.g. <c>data.prepare</c>.</summary>
    public required string Name { get; init; }

    public required string Title { get; init; }

    /// <summary>E.g. <c>data</c>, <c>pairing</c>, <c>training</c>, <c>model</c>.</summary>
    public required string Category { get; init; }

    public string Description { get; init; } = "";

    /// <summary>The Hangfire queue the step runs on (<see cref="StepQueues"/>).</summary>
    public string Queue { get; init; } = StepQueues.Default;

    public IReadOnlyList<StepPort> Inputs { get; init; } = [];

    public IReadOnlyList<StepPort> Outputs { get; init; } = [];

    public StepPort? Input(string name) => Inputs.FirstOrDefault(p => p.Name == name);

    public StepPort? Output(string name) => Outputs.FirstOrDefault(p => p.Name == name);
}
