using System.Text.Json.Nodes;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Definitions;

namespace SpotifyBuddies.Workflows.Steps;

/// <summary>Short constructors for the built-in steps' descriptors.</summary>
internal static class Ports
{
    public static StepPort Required(string name, DataType type, string description) => new(name, type, description, Required: true);

    /// <summary>An input with no default: absent unless the workflow gives it.</summary>
    public static StepPort Optional(string name, DataType type, string description) => new(name, type, description);

    public static StepPort In(string name, string value, string description) => new(name, DataType.String, description, Default: JsonValue.Create(value));

    public static StepPort In(string name, long value, string description) => new(name, DataType.Integer, description, Default: JsonValue.Create(value));

    public static StepPort In(string name, double value, string description) => new(name, DataType.Number, description, Default: JsonValue.Create(value));

    public static StepPort In(string name, bool value, string description) => new(name, DataType.Boolean, description, Default: JsonValue.Create(value));

    public static StepPort Out(string name, DataType type, string description, DataType? itemType = null) =>
        new(name, type, description, ItemType: itemType);

    /// <summary>The optional <c>out</c> input every step that writes a directory has.</summary>
    public static StepPort OutputDirectory(string what) => Optional(
        "out",
        DataType.String,
        $"Directory to write {what} into, instead of the step's own work directory. It is never replaced: a complete " +
        "output from the same inputs is reused, anything else there fails the step.");
}

/// <summary>Where a step writes: the explicit <c>out</c> input, or a directory in its work directory (which it owns and may replace).</summary>
internal readonly record struct StepOutput(string Path, bool Owned)
{
    public static StepOutput For(StepContext context, string? explicitPath, string name) =>
        string.IsNullOrWhiteSpace(explicitPath)
            ? new StepOutput(System.IO.Path.Combine(context.WorkDirectory, name), true)
            : new StepOutput(System.IO.Path.GetFullPath(explicitPath), false);
}
