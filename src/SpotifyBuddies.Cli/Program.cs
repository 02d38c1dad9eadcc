namespace SpotifyBuddies.Cli;

/// <summary>Entry point of <c>buddies</c> (a named class, so it never clashes with the API host's <c>Program</c>).</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => BuddiesCli.RunAsync(args);
}
