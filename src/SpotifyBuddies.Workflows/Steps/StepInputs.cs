using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SpotifyBuddies.Workflows.Catalog;

namespace SpotifyBuddies.Workflows.Steps;

/// <summary>
/// Typed access to a step's evaluated inputs. A missing input falls back to the descriptor's default (the engine
/// fills defaults in; a caller that does not, such as a test, gets the same values), and every value is checked
/// against a range, with the input's name and the offending value in the message.
/// </summary>
internal sealed class StepInputs(StepContext context, StepDescriptor descriptor)
{
    public string String(string name) =>
        OptionalString(name) is { Length: > 0 } value ? value : throw new StepInputException(name, "is required (a non-empty string)");

    public string? OptionalString(string name) => Node(name) is { } node ? Convert<string>(name, node, "a string") : null;

    /// <summary>One of <paramref name="allowed"/> (ordinal).</summary>
    public string Choice(string name, IReadOnlyList<string> allowed)
    {
        var value = String(name);
        return allowed.Contains(value, StringComparer.Ordinal)
            ? value
            : throw new StepInputException(name, $"must be one of {string.Join(", ", allowed)}; got '{value}'");
    }

    public long Integer(string name, long min = long.MinValue, long max = long.MaxValue)
    {
        var value = Convert<long>(name, Required(name), "an integer");
        return value >= min && value <= max
            ? value
            : throw new StepInputException(name, string.Create(CultureInfo.InvariantCulture, $"must be in {min}..{max}; got {value}"));
    }

    public int Int32(string name, int min = int.MinValue, int max = int.MaxValue) => (int)Integer(name, min, max);

    public ulong Seed(string name) => (ulong)Integer(name, 0);

    public double Number(string name, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        var value = Convert<double>(name, Required(name), "a number");
        return double.IsFinite(value) && value >= min && value <= max
            ? value
            : throw new StepInputException(name, string.Create(CultureInfo.InvariantCulture, $"must be a finite number in [{min}, {max}]; got {value}"));
    }

    public bool Boolean(string name) => Convert<bool>(name, Required(name), "a boolean");

    private JsonNode Required(string name) => Node(name) ?? throw new StepInputException(name, "is required");

    private JsonNode? Node(string name) => context.Inputs[name] ?? descriptor.Input(name)?.Default;

    private static T Convert<T>(string name, JsonNode node, string what)
    {
        try
        {
            return node.Deserialize<T>() ?? throw new StepInputException(name, $"must be {what}; got null");
        }
        catch (JsonException)
        {
            throw new StepInputException(name, $"must be {what}; got {node.ToJsonString()}");
        }
        catch (InvalidOperationException)
        {
            throw new StepInputException(name, $"must be {what}; got {node.ToJsonString()}");
        }
    }
}
