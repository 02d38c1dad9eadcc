using SpotifyBuddies.Cli;

return await BuddiesCli.RunAsync(args);
