using System.Text;
using System.Text.Json;
using SpotifyBuddies.Data.Formats;

namespace SpotifyBuddies.Data.Tests.Synthetic;

public sealed class MpdSliceWriterTests
{
    private static readonly MpdSliceInfo Info = new() { GeneratedOn = "2017-12-03 08:41:42.057563", Slice = "0-999", Version = "v1" };

    [Fact]
    public void WriteSlice_WhenGivenPlaylists_WritesCompactMpdJsonThatRoundTrips()
    {
        var json = Write([Playlist(0, collaborative: false), Playlist(1, collaborative: true)]);

        Assert.DoesNotContain('\n', json);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal(["info", "playlists"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("2017-12-03 08:41:42.057563", root.GetProperty("info").GetProperty("generated_on").GetString());
        Assert.Equal("0-999", root.GetProperty("info").GetProperty("slice").GetString());
        var first = root.GetProperty("playlists")[0];
        Assert.Equal(
            ["name", "collaborative", "pid", "modified_at", "num_tracks", "num_albums", "num_followers", "num_edits", "duration_ms", "num_artists", "tracks"],
            first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1_500_000_000, first.GetProperty("modified_at").GetInt64());
        Assert.Equal(4, first.GetProperty("num_followers").GetInt32());
        var track = first.GetProperty("tracks")[0];
        Assert.Equal(
            ["pos", "artist_name", "track_uri", "artist_uri", "track_name", "album_uri", "duration_ms", "album_name"],
            track.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Hello, \"World\" Café 🔥", track.GetProperty("track_name").GetString());
        Assert.Equal("Simon & Garfunkel", track.GetProperty("artist_name").GetString());
        Assert.Equal(215_000, track.GetProperty("duration_ms").GetInt32());
    }

    [Fact]
    public void Write_WhenCollaborativeIsSet_WritesItAsTheStringTheMpdUses()
    {
        using var document = JsonDocument.Parse(Write([Playlist(0, collaborative: false), Playlist(1, collaborative: true)]));
        var playlists = document.RootElement.GetProperty("playlists");

        Assert.Equal(JsonValueKind.String, playlists[0].GetProperty("collaborative").ValueKind);
        Assert.Equal("false", playlists[0].GetProperty("collaborative").GetString());
        Assert.Equal("true", playlists[1].GetProperty("collaborative").GetString());
    }

    [Fact]
    public void Write_WhenDescriptionOrOptionalTrackFieldsAreAbsent_WritesOnlyWhatIsPresent()
    {
        var playlist = Playlist(5, collaborative: false) with
        {
            Description = "for the road",
            Tracks = [new MpdTrack { Pos = 0, TrackName = "T", ArtistName = "A", TrackUri = "spotify:track:x", DurationMs = 1 }],
        };

        using var document = JsonDocument.Parse(Write([playlist]));
        var written = document.RootElement.GetProperty("playlists")[0];

        Assert.Equal("for the road", written.GetProperty("description").GetString());
        Assert.Equal(["pos", "artist_name", "track_uri", "track_name", "duration_ms"], written.GetProperty("tracks")[0].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Dispose_WhenNotCompleted_LeavesJsonThatDoesNotParse()
    {
        using var stream = new MemoryStream();
        using (var writer = new MpdSliceWriter(stream, Info, leaveOpen: true))
        {
            writer.Write(Playlist(0, collaborative: false));
        }

        Assert.True(stream.Length > 0);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(stream.ToArray()));
    }

    [Fact]
    public void Write_WhenManyPlaylists_StreamsBeforeCompletion()
    {
        using var stream = new MemoryStream();
        using var writer = new MpdSliceWriter(stream, Info, leaveOpen: true);

        for (var pid = 0; pid < 200; pid++)
        {
            writer.Write(Playlist(pid, collaborative: false));
        }

        Assert.Equal(200, writer.PlaylistsWritten);
        Assert.True(stream.Length > 64 * 1024, "the writer must flush as it goes, not hold the slice");
        writer.Complete();
        using var document = JsonDocument.Parse(stream.ToArray());
        Assert.Equal(200, document.RootElement.GetProperty("playlists").GetArrayLength());
    }

    [Fact]
    public void Write_WhenCompleted_Throws()
    {
        using var stream = new MemoryStream();
        using var writer = new MpdSliceWriter(stream, Info, leaveOpen: true);
        writer.Complete();

        Assert.Throws<InvalidOperationException>(() => writer.Write(Playlist(0, collaborative: false)));
    }

    [Theory]
    [InlineData(0, "mpd.slice.0-999.json", "0-999")]
    [InlineData(1_000, "mpd.slice.1000-1999.json", "1000-1999")]
    [InlineData(945_000, "mpd.slice.945000-945999.json", "945000-945999")]
    public void SliceFileName_WhenGivenTheFirstPid_NamesTheThousandLikeTheMpd(int start, string fileName, string range)
    {
        Assert.Equal(fileName, MpdSliceWriter.SliceFileName(start));
        Assert.Equal(range, MpdSliceWriter.SliceRange(start));
    }

    private static string Write(IEnumerable<MpdPlaylist> playlists)
    {
        using var stream = new MemoryStream();
        MpdSliceWriter.WriteSlice(stream, Info, playlists);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static MpdPlaylist Playlist(int pid, bool collaborative) => new()
    {
        Pid = pid,
        Name = "road trip",
        Collaborative = collaborative,
        ModifiedAt = 1_500_000_000,
        NumTracks = 1,
        NumAlbums = 1,
        NumFollowers = 4,
        NumEdits = 2,
        DurationMs = 215_000,
        NumArtists = 1,
        Tracks = Enumerable.Range(0, 3).Select(pos => new MpdTrack
        {
            Pos = pos,
            TrackName = "Hello, \"World\" Café 🔥",
            ArtistName = "Simon & Garfunkel",
            TrackUri = "spotify:track:0123456789abcdefghijkl",
            ArtistUri = "spotify:artist:0123456789abcdefghijkl",
            AlbumUri = "spotify:album:0123456789abcdefghijkl",
            AlbumName = "Bridge",
            DurationMs = 215_000,
        }).ToArray(),
    };
}
