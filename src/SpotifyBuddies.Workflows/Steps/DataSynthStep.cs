using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SpotifyBuddies.Data.Synthetic;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Definitions;

namespace SpotifyBuddies.Workflows.Steps;

/// <summary>
/// <c>data.synth</c>: generates a synthetic MPD/ENTP/MSD dataset in the real input formats
/// (<see cref="SyntheticDataGenerator"/>, as <c>buddies data synth</c>). Re-running with the same options reuses a
/// complete earlier output (generation is atomic, so a directory with <c>synth.json</c> is complete).
/// </summary>
public sealed class DataSynthStep : IWorkflowStep
{
    public StepDescriptor Descriptor { get; } = new()
    {
        Name = StepNames.DataSynth,
        Title = "Generate sample data",
        Category = "data",
        Queue = StepQueues.DataPrep,
        Description = "Generate a synthetic dataset in the three real input formats (MPD playlist slices, ENTP listening " +
                      "triplets, MSD song metadata), with latent taste clusters, so the pipeline runs without the licensed data.",
        Inputs =
        [
            Ports.In("preset", "small", $"Size preset: {string.Join(", ", SynthOptions.PresetNames)} (tiny: 300 users, small: 5k users, medium: 100k users)."),
            Ports.In("seed", 42L, "Random seed; the same preset and seed give byte-identical files."),
            Ports.OutputDirectory("mpd/, entp/, msd/ and synth.json"),
        ],
        Outputs =
        [
            Ports.Out("raw", DataType.String, "The raw data root (input of data.prepare)."),
            Ports.Out("users", DataType.Integer, "ENTP users generated."),
            Ports.Out("playlists", DataType.Integer, "MPD playlists generated."),
            Ports.Out("songs", DataType.Integer, "Songs in the catalogue."),
            Ports.Out("triplet_rows", DataType.Integer, "Rows of entp/train_triplets.txt."),
        ],
    };

    public async Task<JsonObject> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var inputs = new StepInputs(context, Descriptor);
        var preset = inputs.Choice("preset", SynthOptions.PresetNames);
        var options = SynthOptions.Preset(preset) with { Seed = inputs.Seed("seed") };
        var target = StepOutput.For(context, inputs.OptionalString("out"), "raw");

        if (await ReadCompleteAsync(target.Path, options, cancellationToken) is { } previous)
        {
            context.Log($"reusing the complete sample data in {target.Path} (same options and seed)");
            return previous;
        }

        context.Log(string.Create(CultureInfo.InvariantCulture, $"generating preset '{preset}' ({options.Users:N0} users, {options.Playlists:N0} playlists, seed {options.Seed}) into {target.Path}"));
        var progress = new StepProgressLog<SynthPhaseProgress>(context.Log, p => (p.Phase, p.Done, p.Total));
        var result = await Task.Run(
            () => SyntheticDataGenerator.Generate(options, target.Path, overwrite: target.Owned, progress, cancellationToken),
            cancellationToken);
        progress.Complete();
        context.Log(string.Create(CultureInfo.InvariantCulture, $"generated {result.TripletRows:N0} listening rows, {result.PlaylistTracks:N0} playlist tracks, {result.MpdSlices.Count} MPD slices"));
        return Outputs(result.Root, result.Users, result.Playlists, result.Songs, result.TripletRows);
    }

    private static JsonObject Outputs(string root, long users, long playlists, long songs, long tripletRows) => new()
    {
        ["raw"] = root,
        ["users"] = users,
        ["playlists"] = playlists,
        ["songs"] = songs,
        ["triplet_rows"] = tripletRows,
    };

    /// <summary>The outputs of a complete earlier generation with these options, or null.</summary>
    private static async Task<JsonObject?> ReadCompleteAsync(string root, SynthOptions options, CancellationToken cancellationToken)
    {
        var manifestPath = Path.Combine(root, SyntheticDataGenerator.ManifestFileName);
        if (!File.Exists(manifestPath))
        {
            return null;
        }

        await using var stream = File.OpenRead(manifestPath);
        using var json = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        var manifest = json.RootElement;
        if (!manifest.TryGetProperty("options", out var saved)
            || saved.GetProperty("users").GetInt32() != options.Users
            || saved.GetProperty("playlists").GetInt32() != options.Playlists
            || saved.GetProperty("songs").GetInt32() != options.Songs
            || saved.GetProperty("genres").GetInt32() != options.Genres
            || saved.GetProperty("seed").GetUInt64() != options.Seed
            || !manifest.TryGetProperty("counts", out var counts)
            || !counts.TryGetProperty("tripletRows", out var tripletRows))
        {
            return null;
        }

        return Outputs(Path.GetFullPath(root), options.Users, options.Playlists, options.Songs, tripletRows.GetInt64());
    }
}
