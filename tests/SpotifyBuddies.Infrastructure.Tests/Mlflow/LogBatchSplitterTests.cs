using SpotifyBuddies.Core.Tracking;
using SpotifyBuddies.Infrastructure.Mlflow;

namespace SpotifyBuddies.Infrastructure.Tests.Mlflow;

public sealed class LogBatchSplitterTests
{
    private static MetricPoint Metric(int i) => new("m", i, DateTimeOffset.FromUnixTimeMilliseconds(i), i);

    private static KeyValuePair<string, string> Item(string prefix, int i, int length = 1) => new($"{prefix}{i}", new string('x', length));

    [Fact]
    public void Split_OfNothing_IsNoRequest() => Assert.Empty(LogBatchSplitter.Split([], [], []));

    [Fact]
    public void Split_WithinLimits_IsOneRequest()
    {
        var chunks = LogBatchSplitter.Split([.. Enumerable.Range(0, 1000).Select(Metric)], [], []);

        Assert.Equal(1000, Assert.Single(chunks).Metrics.Count);
    }

    [Fact]
    public void Split_RespectsEveryCountLimit_AndKeepsOrder()
    {
        var metrics = Enumerable.Range(0, 1001).Select(Metric).ToList();
        var parameters = Enumerable.Range(0, 101).Select(i => Item("p", i)).ToList();
        var tags = Enumerable.Range(0, 201).Select(i => Item("t", i)).ToList();

        var chunks = LogBatchSplitter.Split(metrics, parameters, tags);

        Assert.All(chunks, c => Assert.True(c.Metrics.Count <= 1000 && c.Params.Count <= 100 && c.Tags.Count <= 100 && c.Count <= 1000));
        Assert.Equal(metrics, chunks.SelectMany(c => c.Metrics));
        Assert.Equal(parameters, chunks.SelectMany(c => c.Params));
        Assert.Equal(tags, chunks.SelectMany(c => c.Tags));
    }

    [Fact]
    public void Split_RespectsTheByteLimit()
    {
        var parameters = Enumerable.Range(0, 100).Select(i => Item("p", i, 6000)).ToList();

        var chunks = LogBatchSplitter.Split([], parameters, [], maxRequestBytes: 100_000);

        Assert.All(chunks, c => Assert.True(c.Params.Count * 6020 <= 100_000 - LogBatchSplitter.EnvelopeBytes));
        Assert.Equal(100, chunks.Sum(c => c.Params.Count));
        Assert.True(chunks.Count >= 7);
    }
}
