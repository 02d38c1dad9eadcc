using System.Text;
using SpotifyBuddies.Data.Formats;

namespace SpotifyBuddies.Data.Tests.Synthetic;

public sealed class TasteTripletWriterTests
{
    [Fact]
    public void WriteAll_WhenGivenTriplets_WritesTabSeparatedLinesWithoutBom()
    {
        using var stream = new MemoryStream();

        var rows = TasteTripletWriter.WriteAll(stream, [new TasteTriplet("b80344d063b5ccb3212f76538f3d9e43d87dca9e", "SOAKIMP12A8C130995", 1), new("u2", "SO2", 12_345)]);

        Assert.Equal(2, rows);
        Assert.Equal("b80344d063b5ccb3212f76538f3d9e43d87dca9e\tSOAKIMP12A8C130995\t1\nu2\tSO2\t12345\n", Encoding.UTF8.GetString(stream.ToArray()));
        Assert.NotEqual(0xEF, stream.ToArray()[0]);
    }

    [Fact]
    public void Write_WhenPlayCountIsZeroOrNegative_WritesItAsGiven()
    {
        using var stream = new MemoryStream();

        TasteTripletWriter.WriteAll(stream, [new TasteTriplet("u", "s", 0), new("u", "s", -7)]);

        Assert.Equal("u\ts\t0\nu\ts\t-7\n", Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Theory]
    [InlineData("user\tx", "SO1")]
    [InlineData("user", "SO\n1")]
    [InlineData("", "SO1")]
    [InlineData("user", "SO\r")]
    public void Write_WhenAFieldWouldBreakTheFormat_Throws(string user, string song)
    {
        using var stream = new MemoryStream();
        using var writer = new TasteTripletWriter(stream, leaveOpen: true);

        Assert.ThrowsAny<ArgumentException>(() => writer.Write(user, song, 1));
        Assert.Equal(0, writer.RowsWritten);
    }
}
