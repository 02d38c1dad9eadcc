namespace SpotifyBuddies.Core.Randomness;

/// <summary>
/// Draws indexes 0..n−1 with probabilities proportional to fixed weights in O(1) per draw
/// (Walker's alias method, Vose's construction). Immutable after construction, so one instance can be
/// shared by many threads, each with its own <see cref="DeterministicRandom"/>.
/// </summary>
public sealed class AliasSampler
{
    private readonly double[] _probability;
    private readonly int[] _alias;
    private readonly double[] _normalised;

    /// <summary>Builds the table. Weights must be finite and non-negative, with a positive sum.</summary>
    public AliasSampler(ReadOnlySpan<double> weights)
    {
        if (weights.IsEmpty)
        {
            throw new ArgumentException("At least one weight is required.", nameof(weights));
        }

        var n = weights.Length;
        var total = 0.0;
        foreach (var w in weights)
        {
            if (!double.IsFinite(w) || w < 0)
            {
                throw new ArgumentException("Weights must be finite and non-negative.", nameof(weights));
            }

            total += w;
        }

        if (total <= 0)
        {
            throw new ArgumentException("The weights must have a positive sum.", nameof(weights));
        }

        _probability = new double[n];
        _alias = new int[n];
        _normalised = new double[n];
        var scaled = new double[n];
        var small = new Stack<int>();
        var large = new Stack<int>();
        for (var i = n - 1; i >= 0; i--)
        {
            _normalised[i] = weights[i] / total;
            scaled[i] = _normalised[i] * n;
            (scaled[i] < 1.0 ? small : large).Push(i);
        }

        while (small.Count > 0 && large.Count > 0)
        {
            var less = small.Pop();
            var more = large.Pop();
            _probability[less] = scaled[less];
            _alias[less] = more;
            scaled[more] = (scaled[more] + scaled[less]) - 1.0;
            (scaled[more] < 1.0 ? small : large).Push(more);
        }

        // Left-overs are 1 up to rounding.
        while (large.Count > 0)
        {
            _probability[large.Pop()] = 1.0;
        }

        while (small.Count > 0)
        {
            _probability[small.Pop()] = 1.0;
        }
    }

    /// <summary>How many outcomes the sampler draws from.</summary>
    public int Count => _probability.Length;

    /// <summary>The normalised probability of <paramref name="index"/>.</summary>
    public double Probability(int index) => _normalised[index];

    /// <summary>Draws one index (consumes two draws from <paramref name="random"/>).</summary>
    public int Sample(DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var column = random.NextInt(_probability.Length);
        return random.NextDouble() < _probability[column] ? column : _alias[column];
    }
}
