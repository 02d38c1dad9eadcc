namespace SpotifyBuddies.Data.Formats;

/// <summary>Where and why one input record is malformed. Line and column are 1-based; 0 means unknown.</summary>
public sealed record DataFormatError(string File, long Line, long Column, string? Field, string Message)
{
    public override string ToString()
    {
        var where = Column > 0 ? $"{File}:{Line}:{Column}" : $"{File}:{Line}";
        return Field is null ? $"{where}: {Message}" : $"{where}: field '{Field}': {Message}";
    }
}

/// <summary>Thrown by a reader when a record is malformed and bad records are not being skipped.</summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(DataFormatError error)
        : base(error.ToString()) => Error = error;

    public DataFormatException(DataFormatError error, Exception inner)
        : base(error.ToString(), inner) => Error = error;

    public DataFormatError Error { get; }
}

/// <summary>How a reader treats malformed records.</summary>
public sealed record ReadOptions
{
    /// <summary>Fail on the first malformed record (the default).</summary>
    public static ReadOptions Strict { get; } = new();

    /// <summary>Skip malformed records and count them in the <see cref="ReadReport"/> instead of failing.</summary>
    public bool SkipBad { get; init; }

    /// <summary>How many skipped-record errors the report keeps verbatim (all are counted).</summary>
    public int MaxErrorsKept { get; init; } = 20;
}

/// <summary>What a reader saw: records read, records skipped, and the first errors.</summary>
public sealed class ReadReport
{
    private readonly List<DataFormatError> _errors = [];

    public long Records { get; private set; }
    public long Skipped { get; private set; }
    public IReadOnlyList<DataFormatError> Errors => _errors;

    internal void CountRecord() => Records++;

    internal void CountRecords(long count) => Records += count;

    /// <summary>Throws unless <paramref name="options"/> says to skip; otherwise counts and keeps the error.</summary>
    internal void Bad(DataFormatError error, ReadOptions options, Exception? inner = null)
    {
        if (!options.SkipBad)
        {
            throw inner is null ? new DataFormatException(error) : new DataFormatException(error, inner);
        }

        Skipped++;
        if (_errors.Count < options.MaxErrorsKept)
        {
            _errors.Add(error);
        }
    }
}
