using System.CommandLine;

namespace SpotifyBuddies.Cli.Commands;

/// <summary>Options shared by several commands, so they read the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json")
    {
        Description = "Print the result as JSON on stdout (progress goes to stderr).",
    };

    public static Option<bool> SkipBad() => new("--skip-bad")
    {
        Description = "Skip malformed records and report how many were skipped, instead of stopping at the first one.",
    };

    public static Option<bool> Force() => new("--force")
    {
        Description = "Replace the output directory if it already exists.",
    };
}
