using System.Globalization;
using Spectre.Console;
using SpotifyBuddies.Data.Preparation;
using SpotifyBuddies.Data.Reports;

namespace SpotifyBuddies.Cli.Output;

/// <summary>Spectre tables for the pipelines' stats reports and phase timings.</summary>
internal static class ReportView
{
    public static Table Stats(string title, IEnumerable<ReportRow> rows, string caption)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(title)}[/]")
            .AddColumn("section").AddColumn("measure").AddColumn(new TableColumn("value").RightAligned())
            .Caption($"[grey]{Markup.Escape(caption)} · distributions are min / median / mean / p90 / max[/]");
        foreach (var row in rows)
        {
            table.AddRow(Markup.Escape(row.Section), Markup.Escape(row.Measure), Markup.Escape(row.Value));
        }

        return table;
    }

    public static Table Timings(IEnumerable<PhaseTiming> timings)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Time per phase[/]")
            .AddColumn("phase").AddColumn(new TableColumn("seconds").RightAligned());
        foreach (var timing in timings)
        {
            table.AddRow(Markup.Escape(timing.Phase), timing.Seconds.ToString("0.00", CultureInfo.InvariantCulture));
        }

        return table;
    }
}
