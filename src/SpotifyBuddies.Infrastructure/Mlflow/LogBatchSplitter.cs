using System.Text.Json;
using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Infrastructure.Tracking;

namespace SpotifyBuddies.Infrastructure.Mlflow;

/// <summary>One runs/log-batch request's worth of items.</summary>
public sealed record LogBatchChunk(
    IReadOnlyList<MetricPoint> Metrics,
    IReadOnlyList<KeyValuePair<string, string>> Params,
    IReadOnlyList<KeyValuePair<string, string>> Tags)
{
    public int Count => Metrics.Count + Params.Count + Tags.Count;
}

/// <summary>
/// Splits a log-batch into requests the server accepts: at most 1000 metrics, 100 params, 100 tags and 1000 items in
/// all, and a JSON body of at most 1 MB (MLflow refuses a larger request whole, R11/R12).
/// </summary>
/// <remarks>
/// Items keep their order; params come first, then tags, then metrics, so a param the server refuses as changed stops
/// the batch before its metrics are written. The body size is the exact size of each item's JSON plus its comma,
/// against the limit less a margin for the envelope (<c>{"run_id": …, "metrics": [ … ]}</c>).
/// </remarks>
public static class LogBatchSplitter
{
    /// <summary>Room kept for the request envelope and run id.</summary>
    public const int EnvelopeBytes = 1024;

    public static IReadOnlyList<LogBatchChunk> Split(
        IReadOnlyList<MetricPoint> metrics,
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        IReadOnlyList<KeyValuePair<string, string>> tags,
        int maxRequestBytes = TrackingRules.MaxBatchRequestBytes)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRequestBytes, EnvelopeBytes * 2);

        var chunks = new List<LogBatchChunk>();
        var budget = maxRequestBytes - EnvelopeBytes;
        List<MetricPoint> m = [];
        List<KeyValuePair<string, string>> p = [];
        List<KeyValuePair<string, string>> t = [];
        var bytes = 0;

        void Flush()
        {
            if (m.Count + p.Count + t.Count > 0)
            {
                chunks.Add(new LogBatchChunk(m, p, t));
                m = [];
                p = [];
                t = [];
                bytes = 0;
            }
        }

        bool Fits(int size, int sameKindCount, int sameKindLimit) =>
            sameKindCount < sameKindLimit
            && m.Count + p.Count + t.Count < TrackingRules.MaxEntitiesPerBatch
            && bytes + size <= budget;

        foreach (var param in parameters)
        {
            var size = SizeOf(param);
            if (!Fits(size, p.Count, TrackingRules.MaxParamsPerBatch))
            {
                Flush();
            }

            p.Add(param);
            bytes += size;
        }

        foreach (var tag in tags)
        {
            var size = SizeOf(tag);
            if (!Fits(size, t.Count, TrackingRules.MaxTagsPerBatch))
            {
                Flush();
            }

            t.Add(tag);
            bytes += size;
        }

        foreach (var metric in metrics)
        {
            var size = SizeOf(metric);
            if (!Fits(size, m.Count, TrackingRules.MaxMetricsPerBatch))
            {
                Flush();
            }

            m.Add(metric);
            bytes += size;
        }

        Flush();
        return chunks;
    }

    internal static MetricJson ToJson(MetricPoint metric) =>
        new(metric.Key, metric.Value, metric.Timestamp.ToUnixTimeMilliseconds(), metric.Step);

    private static int SizeOf(KeyValuePair<string, string> item) =>
        JsonSerializer.SerializeToUtf8Bytes(new KeyValueJson(item.Key, item.Value), MlflowJson.Default.KeyValueJson).Length + 1;

    private static int SizeOf(MetricPoint metric) =>
        JsonSerializer.SerializeToUtf8Bytes(ToJson(metric), MlflowJson.Default.MetricJson).Length + 1;
}
