using System.Globalization;
using Spectre.Console;
using SpotifyBuddies.Data.Inspection;
using SpotifyBuddies.Data.Synthetic;

namespace SpotifyBuddies.Cli.Output;

/// <summary>Tables for dataset summaries.</summary>
internal static class SummaryView
{
    public static Table Synth(SynthResult result) =>
        new Table().Border(TableBorder.Rounded).Title("[bold]Generated sample data[/]")
            .AddColumn("what").AddColumn(new TableColumn("count").RightAligned())
            .AddRow("users (ENTP)", N(result.Users))
            .AddRow("playlists (MPD)", N(result.Playlists))
            .AddRow("songs", N(result.Songs))
            .AddRow("triplet rows", N(result.TripletRows))
            .AddRow("playlist tracks", N(result.PlaylistTracks))
            .AddRow("MPD slice files", N(result.MpdSlices.Count))
            .Caption($"[grey]{Markup.Escape(result.Root)}[/]");

    public static Table Raw(RawDatasetSummary s)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Raw inputs, read back[/]")
            .AddColumn("input").AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("MPD", "slice files / playlists / tracks", $"{N(s.MpdSlices)} / {N(s.Playlists)} / {N(s.PlaylistTracks)}");
        table.AddRow("", "song keys / artists", $"{N(s.MpdSongKeys)} / {N(s.MpdArtists)}");
        table.AddRow("", "tracks per playlist (min/median/mean/max)", D(s.PlaylistLength));
        table.AddRow("", "followers (min/median/mean/max)", D(s.PlaylistFollowers));
        table.AddRow("ENTP", "rows / users / song ids", $"{N(s.TripletRows)} / {N(s.Users)} / {N(s.EntpSongIds)}");
        table.AddRow("", "songs per user (min/median/mean/max)", D(s.LibrarySize));
        table.AddRow("MSD", "songs / ENTP rows without metadata", $"{N(s.MsdSongs)} / {N(s.TripletRowsWithoutMetadata)}");
        table.AddRow("join", "ENTP song keys / shared with MPD", $"{N(s.EntpSongKeys)} / {N(s.SharedSongKeys)} ({Pct(s.SharedSongKeys, s.EntpSongKeys)})");
        table.AddRow("", "users with a song found in playlists", $"{N(s.UsersWithSharedSongs)} ({Pct(s.UsersWithSharedSongs, s.Users)})");
        table.AddRow("files", "skipped malformed records", N(s.SkippedRecords));
        return table;
    }

    /// <summary>The first kept error of each file that had skipped records.</summary>
    public static void SkippedErrors(IAnsiConsole console, RawDatasetSummary s)
    {
        foreach (var file in s.Files.Where(f => f.Skipped > 0))
        {
            console.MarkupLine($"[yellow]{Markup.Escape(file.File)}: skipped {N(file.Skipped)} malformed record(s)[/]");
            foreach (var error in file.Errors.Take(5))
            {
                console.MarkupLine($"  [grey]{Markup.Escape(error)}[/]");
            }
        }
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string D(Distribution d) =>
        string.Create(CultureInfo.InvariantCulture, $"{d.Min} / {d.Median:0.#} / {d.Mean:0.0} / {d.Max}");

    private static string Pct(long part, long whole) =>
        whole == 0 ? "-" : (part / (double)whole).ToString("P1", CultureInfo.InvariantCulture);
}
