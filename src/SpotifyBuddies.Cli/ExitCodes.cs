namespace SpotifyBuddies.Cli;

/// <summary>Process exit codes of every <c>buddies</c> command.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>Bad arguments or bad input data: fix the input and run again.</summary>
    public const int InvalidInput = 1;

    /// <summary>The command failed for another reason (I/O, a bug, cancellation).</summary>
    public const int Failure = 2;
}
