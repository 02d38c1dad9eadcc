namespace SpotifyBuddies.Core.Preparation;

/// <summary>
/// floor/ceil of <c>fraction·n</c> that snap to the nearest integer when the product is within rounding
/// noise of it: <c>0.015·200</c> is 3.0000000000000004 in doubles (ceil would say 4) and <c>(0.7+0.2)·10</c>
/// is 8.999999999999998 (floor would say 8). Both must give the mathematical answer.
/// </summary>
internal static class FractionMath
{
    // Double rounding error of fraction·n (and of a sum of two fractions) is a few ulps, i.e. ~1e-15 relative;
    // these tolerances sit far above it and far below any real fractional part of a product of "decimal" inputs.
    private const double AbsoluteTolerance = 1e-9;
    private const double RelativeTolerance = 1e-12;

    /// <summary>floor(fraction·n), snapping to an integer within rounding noise.</summary>
    public static int Floor(double fraction, int n)
    {
        var product = fraction * n;
        var nearest = Math.Round(product);
        return (int)(IsNoise(product, nearest) ? nearest : Math.Floor(product));
    }

    /// <summary>ceil(fraction·n), snapping to an integer within rounding noise.</summary>
    public static int Ceiling(double fraction, int n)
    {
        var product = fraction * n;
        var nearest = Math.Round(product);
        return (int)(IsNoise(product, nearest) ? nearest : Math.Ceiling(product));
    }

    private static bool IsNoise(double product, double nearest) =>
        Math.Abs(product - nearest) <= Math.Max(AbsoluteTolerance, RelativeTolerance * Math.Abs(product));

    /// <summary>Whether <paramref name="fraction"/> is a number in [0, 1] (false for NaN).</summary>
    public static bool IsUnitInterval(double fraction) => fraction is >= 0 and <= 1;
}
