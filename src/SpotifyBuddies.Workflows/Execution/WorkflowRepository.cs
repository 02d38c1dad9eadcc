using System.Security.Cryptography;
using System.Text;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Definitions;
using SpotifyBuddies.Workflows.Validation;

namespace SpotifyBuddies.Workflows.Execution;

/// <summary>
/// The definitions in the workflows folder, loaded and validated against the step catalog. A file with errors is
/// left out (its diagnostics are kept in <see cref="Problems"/> and logged by the engine), so one bad file does not
/// stop the others from running.
/// </summary>
public sealed class WorkflowRepository
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    private WorkflowRepository(IReadOnlyList<WorkflowEntry> entries, IReadOnlyList<WorkflowDiagnostic> problems)
    {
        Entries = entries;
        Problems = problems;
    }

    public IReadOnlyList<WorkflowEntry> Entries { get; }

    public IReadOnlyList<WorkflowDiagnostic> Problems { get; }

    /// <summary>Every definition file directly in <paramref name="directory"/> (none when it does not exist).</summary>
    public static IReadOnlyList<string> DefinitionFiles(string directory) =>
        Directory.Exists(directory)
            ? [.. Directory.EnumerateFiles(directory)
                .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)]
            : [];

    public static WorkflowRepository Load(string directory, StepCatalog catalog)
    {
        var entries = new List<WorkflowEntry>();
        var problems = new List<WorkflowDiagnostic>();
        foreach (var file in DefinitionFiles(directory))
        {
            var source = File.ReadAllText(file);
            var (definition, diagnostics) = WorkflowDocument.Load(source, Path.GetFileName(file), catalog);
            if (definition is null || diagnostics.Count > 0)
            {
                problems.AddRange(diagnostics);
                continue;
            }

            if (entries.Any(e => e.Name == definition.Name))
            {
                problems.Add(new WorkflowDiagnostic(
                    Path.GetFileName(file), definition.Metadata.Position, "duplicate-workflow", "metadata.name",
                    $"workflow '{definition.Name}' is also defined in {entries.First(e => e.Name == definition.Name).File}"));
                continue;
            }

            entries.Add(new WorkflowEntry(definition, Path.GetFileName(file), source, Hash(source)));
        }

        return new WorkflowRepository(entries, problems);
    }

    public static string Hash(string source) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source)));

    public WorkflowEntry? Find(string name) => Entries.FirstOrDefault(e => e.Name == name);
}
