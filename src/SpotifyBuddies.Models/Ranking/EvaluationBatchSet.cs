namespace SpotifyBuddies.Models.Ranking;

/// <summary>
/// Evaluation rows (user, positive, negative₀ … negativeₙ₋₁), the prepared dataset's <c>val_batches.i32</c> or
/// <c>test_batches.i32</c> (width 2 + negatives; −1 pads a short row and is skipped when ranking).
/// </summary>
public sealed class EvaluationBatchSet
{
    public EvaluationBatchSet(int[] values, int negatives)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(negatives);
        Width = negatives + 2;
        if (values.Length % Width != 0)
        {
            throw new ArgumentException($"{values.Length} values is not a whole number of rows of {Width}.", nameof(values));
        }

        Values = values;
        Negatives = negatives;
        Count = values.Length / Width;
    }

    public int[] Values { get; }

    public int Negatives { get; }

    /// <summary>2 + <see cref="Negatives"/>.</summary>
    public int Width { get; }

    public int Count { get; }

    public int User(int row) => Values[row * Width];

    public int Positive(int row) => Values[(row * Width) + 1];

    public ReadOnlySpan<int> NegativesOf(int row) => Values.AsSpan((row * Width) + 2, Negatives);

    /// <summary>Reads a raw file of rows of <paramref name="negatives"/> + 2 int32 values.</summary>
    /// <exception cref="InvalidDataException">Its length is not a whole number of rows.</exception>
    public static EvaluationBatchSet Load(string path, int negatives)
    {
        var bytes = File.ReadAllBytes(path);
        var width = (negatives + 2) * sizeof(int);
        if (bytes.Length % width != 0)
        {
            throw new InvalidDataException($"{path}: {bytes.Length} bytes is not a whole number of {negatives + 2}-int32 rows (truncated, or another negative count?).");
        }

        var values = new int[bytes.Length / sizeof(int)];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The raw evaluation file is little-endian; this machine is not.");
        }

        return new EvaluationBatchSet(values, negatives);
    }
}
