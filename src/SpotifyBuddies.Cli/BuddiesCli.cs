using System.CommandLine;
using SpotifyBuddies.Cli.Commands;

namespace SpotifyBuddies.Cli;

/// <summary>The <c>buddies</c> command tree.</summary>
public static class BuddiesCli
{
    public static RootCommand Create()
    {
        var root = new RootCommand(
            "Spotify Buddies: organic playlist recommendation. Recommends playlists that listeners with similar " +
            "taste made (KNN user pairing + BPR ranking), with the pipeline that trains and ships the models.\n\n" +
            "Start with 'buddies quickstart'; every command has --help.");
        root.Add(QuickstartCommand.Create());
        root.Add(DataCommand.Create());
        root.Add(PairCommand.Create());
        root.Add(TrainCommand.Create());
        root.Add(RunsCommand.Create());
        root.Add(ModelsCommand.Create());
        root.Add(WorkflowCommand.Create());
        root.Add(WorkflowCommand.CreateWorker());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };

        var parseResult = Create().Parse(args);
        return await parseResult.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, cancellation.Token);
    }
}
