namespace SpotifyBuddies.Workflows.Steps;

/// <summary>A built-in step cannot do its work with the inputs and state it found; the message says what and why.</summary>
public sealed class StepFailedException : Exception
{
    public StepFailedException(string message)
        : base(message)
    {
    }

    public StepFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StepFailedException()
    {
    }
}
