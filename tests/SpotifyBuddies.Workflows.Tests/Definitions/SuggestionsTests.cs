using SpotifyBuddies.Workflows.Definitions;

namespace SpotifyBuddies.Workflows.Tests.Definitions;

public sealed class SuggestionsTests
{
    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("Uses", "uses", 0)]
    [InlineData("", "abc", 3)]
    public void Distance_IsLevenshtein_IgnoringCase(string a, string b, int expected) =>
        Assert.Equal(expected, Suggestions.Distance(a, b));

    [Fact]
    public void Near_FindsTyposAndPrefixes_NearestFirst()
    {
        string[] names = ["data.prepare", "data.synth", "pairing.knn", "training.bpr"];

        Assert.Equal(["data.prepare"], Suggestions.Near("data.prepair", names));
        Assert.Equal(["dataset_dir"], Suggestions.Near("dataset", ["dataset_dir", "rows"]));
        Assert.Empty(Suggestions.Near("model.register", names));
        Assert.Null(Suggestions.Closest("zzz", names));
    }
}
