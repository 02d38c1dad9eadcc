using System.Runtime.ExceptionServices;

namespace SpotifyBuddies.Data.Preparation;

/// <summary>Runs <see cref="Parallel"/> work so that a worker's exception surfaces as itself, not wrapped.</summary>
internal static class Parallelism
{
    /// <summary>
    /// Runs <paramref name="work"/>; an <see cref="AggregateException"/> from it is replaced by its first inner
    /// exception that is not a cancellation (or by the first one), with the original stack trace, so callers can
    /// catch <c>DataFormatException</c>, <c>IOException</c>, … as usual.
    /// </summary>
    public static void Run(Action work)
    {
        try
        {
            work();
        }
        catch (AggregateException aggregate)
        {
            var flat = aggregate.Flatten().InnerExceptions;
            var first = flat.FirstOrDefault(e => e is not OperationCanceledException) ?? flat.FirstOrDefault() ?? aggregate;
            ExceptionDispatchInfo.Capture(first).Throw();
            throw;
        }
    }
}
