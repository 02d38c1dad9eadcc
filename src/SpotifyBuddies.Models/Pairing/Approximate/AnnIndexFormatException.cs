namespace SpotifyBuddies.Models.Pairing.Approximate;

/// <summary>
/// An ANN index or user-vectors file that cannot be used: truncated, corrupt (a checksum or structural
/// check failed), of another format, or of a format version this build does not read. The message
/// names the file and what is wrong with it.
/// </summary>
public sealed class AnnIndexFormatException : IOException
{
    public AnnIndexFormatException()
    {
    }

    public AnnIndexFormatException(string message)
        : base(message)
    {
    }

    public AnnIndexFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AnnIndexFormatException(string path, string problem)
        : base($"'{path}' {problem}.")
    {
        FilePath = path;
    }

    /// <summary>The file, when known.</summary>
    public string? FilePath { get; }
}
