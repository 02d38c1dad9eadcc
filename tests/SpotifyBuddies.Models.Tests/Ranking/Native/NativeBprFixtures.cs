using System.Globalization;
using SpotifyBuddies.Models.Ranking;
using SpotifyBuddies.Models.Ranking.Native;

namespace SpotifyBuddies.Models.Tests.Ranking.Native;

internal static class NativeBprFixtures
{
    /// <summary>Every SIMD width this machine accelerates (scalar always), as ints for theory data.</summary>
    public static TheoryData<int> Widths() => new(SupportedWidths());

    public static int[] SupportedWidths() =>
        Enum.GetValues<NativeSimdWidth>().Where(NativeSimd.IsAccelerated).Select(width => (int)width).ToArray();

    public static BprHyperparameters Hyperparameters(BprOptimizer optimizer, int dimensions, int batchSize, double learningRate) => new()
    {
        Optimizer = optimizer,
        Dimensions = dimensions,
        BatchSize = batchSize,
        LearningRate = learningRate,
    };

    public static NativeBprTrainer Trainer(BprHyperparameters hyperparameters, int threads = 1, int? width = null) =>
        new(new BprTrainerSettings { Hyperparameters = hyperparameters, Threads = threads }, width is { } w ? (NativeSimdWidth)w : NativeSimd.Best);

    /// <summary><paramref name="count"/> uniformly random triplets (positive and negative may coincide).</summary>
    public static int[] RandomTriplets(int users, int playlists, int count, int seed)
    {
        var random = new Random(seed);
        var rows = new int[count * 3];
        for (var t = 0; t < count; t++)
        {
            rows[3 * t] = random.Next(users);
            rows[(3 * t) + 1] = random.Next(playlists);
            rows[(3 * t) + 2] = random.Next(playlists);
        }

        return rows;
    }

    public static int[] Range(int count) => Enumerable.Range(0, count).ToArray();

    /// <summary>The rows of batch <paramref name="batch"/>, as an array.</summary>
    public static int[] BatchRows(int[] rows, int batch, int batchSize)
    {
        var first = batch * batchSize * 3;
        return rows[first..Math.Min(rows.Length, first + (batchSize * 3))];
    }

    /// <summary>
    /// |actual − expected| ≤ <paramref name="relative"/> · (|expected| + 1% of the array's largest |expected|): relative,
    /// with a floor so that elements near zero (where float rounding is large relative to the value) don't fail alone.
    /// </summary>
    public static void AssertClose(double[] expected, ReadOnlySpan<float> actual, string what, double relative = 1e-5)
    {
        var widened = new double[actual.Length];
        for (var e = 0; e < actual.Length; e++)
        {
            widened[e] = actual[e];
        }

        AssertClose(expected, widened, what, relative);
    }

    /// <summary>As above, for values already in double.</summary>
    public static void AssertClose(double[] expected, double[] actual, string what, double relative = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        var floor = 0.01 * expected.Select(Math.Abs).DefaultIfEmpty(0).Max();
        for (var e = 0; e < expected.Length; e++)
        {
            var tolerance = relative * (Math.Abs(expected[e]) + floor);
            if (!(Math.Abs(actual[e] - expected[e]) <= tolerance))
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{what}[{e}] = {actual[e]:R}, expected {expected[e]:R} (tolerance {tolerance:G3})."));
            }
        }
    }

    /// <summary>The native trainer's whole state equals the reference's (tables, every slot, step).</summary>
    public static void AssertMatches(ReferenceBpr reference, BprState state, string when)
    {
        Assert.Equal(reference.Step, state.Optimizer.Step);
        AssertClose(reference.UserTable, state.UserEmbeddings, $"{when}: users");
        AssertClose(reference.PlaylistTable, state.PlaylistEmbeddings, $"{when}: playlists");
        Assert.Equal(reference.Slots.Keys.Order(), state.Optimizer.Slots.Keys.Order());
        foreach ((var name, var values) in reference.Slots)
        {
            AssertClose(values, state.Optimizer.Slots[name], $"{when}: {name}");
        }
    }

    /// <summary>Reports synchronously on the reporting thread (unlike <see cref="Progress{T}"/>), thread-safe.</summary>
    public sealed class CountingProgress(Action<long>? onReport = null) : IProgress<long>
    {
        private long _total;
        private int _reports;

        public long Total => Interlocked.Read(ref _total);

        public int Reports => Volatile.Read(ref _reports);

        public void Report(long value)
        {
            Interlocked.Add(ref _total, value);
            Interlocked.Increment(ref _reports);
            onReport?.Invoke(value);
        }
    }
}
