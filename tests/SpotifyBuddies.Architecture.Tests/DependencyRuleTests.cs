using System.Reflection;
using System.Xml.Linq;

namespace SpotifyBuddies.Architecture.Tests;

/// <summary>
/// The dependency rule of ARCHITECTURE.md §3: Core depends on nothing of ours; Data, Models, Workflows and
/// Serving depend on Core (Models may read Data's datasets); Infrastructure implements Core's ports; Api
/// and Cli compose, and nothing references them. Checked twice: on the compiled assemblies and on the
/// declared project references, so an unused reference cannot hide a violation.
/// </summary>
public sealed class DependencyRuleTests
{
    private const string Prefix = "SpotifyBuddies.";

    /// <summary>Which of our projects each project may reference.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Core"] = [],
        ["Data"] = ["Core"],
        ["Models"] = ["Core", "Data"],
        ["Workflows"] = ["Core", "Data", "Models"], // Steps/ adapts Data and Models (ADR 0007)
        ["Serving"] = ["Core"],
        ["Infrastructure"] = ["Core"],
        ["Api"] = ["Core", "Data", "Models", "Workflows", "Serving", "Infrastructure"],
        ["Cli"] = ["Core", "Data", "Models", "Workflows", "Serving", "Infrastructure"],
    };

    /// <summary>Third-party packages confined to the projects that own the concern.</summary>
    private static readonly Dictionary<string, string[]> ConfinedPackages = new()
    {
        ["TorchSharp"] = ["Models"],
        ["Hangfire"] = ["Infrastructure", "Api", "Cli"], // the two hosts: the API host and `buddies worker` (ARCHITECTURE §5)
        ["Npgsql"] = ["Infrastructure"],
        ["Minio"] = ["Infrastructure"],
        ["Microsoft.Data.Sqlite"] = ["Infrastructure"],
        ["Spectre.Console"] = ["Cli"],
        ["System.CommandLine"] = ["Cli"],
    };

    public static TheoryData<string> Projects => [.. Allowed.Keys];

    [Theory]
    [MemberData(nameof(Projects))]
    public void CompiledAssembly_ReferencesOnlyAllowedProjects(string project)
    {
        var referenced = Load(project).GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(n => n[Prefix.Length..]);

        Assert.Empty(referenced.Except(Allowed[project]));
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void ProjectFile_DeclaresOnlyAllowedProjectReferences(string project)
    {
        var declared = XDocument.Load(ProjectFile(project))
            .Descendants("ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value))
            .Select(n => n[Prefix.Length..]);

        Assert.Empty(declared.Except(Allowed[project]));
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void CompiledAssembly_UsesConfinedPackagesOnlyWhereAllowed(string project)
    {
        var offending = Load(project).GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => ConfinedPackages.Any(p =>
                (name == p.Key || name.StartsWith(p.Key + ".", StringComparison.Ordinal)) && !p.Value.Contains(project)));

        Assert.Empty(offending);
    }

    [Fact]
    public void Core_ReferencesOnlyTheFrameworkAndAbstractions()
    {
        var foreign = Load("Core").GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => !(n == "netstandard" || n.StartsWith("System", StringComparison.Ordinal)
                || (n.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal) && n.EndsWith(".Abstractions", StringComparison.Ordinal))));

        Assert.Empty(foreign);
    }

    [Fact]
    public void Solution_ContainsEveryProjectOfTheRule()
    {
        var onDisk = Directory.GetDirectories(Path.Combine(RepoRoot(), "src"))
            .Select(Path.GetFileName)
            .Where(n => n!.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(n => n![Prefix.Length..]);

        Assert.Equal(Allowed.Keys.Order(), onDisk.Order());
    }

    private static Assembly Load(string project) => Assembly.Load(Prefix + project == "SpotifyBuddies.Cli" ? "buddies" : Prefix + project);

    private static string ProjectFile(string project) =>
        Path.Combine(RepoRoot(), "src", Prefix + project, Prefix + project + ".csproj");

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SpotifyBuddies.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("SpotifyBuddies.sln not found above " + AppContext.BaseDirectory);
    }
}
