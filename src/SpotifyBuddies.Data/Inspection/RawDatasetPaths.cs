using SpotifyBuddies.Data.Formats;

namespace SpotifyBuddies.Data.Inspection;

/// <summary>
/// The three raw inputs of the pipeline: MPD slice files, the ENTP triplets file and one MSD metadata file.
/// </summary>
public sealed record RawDatasetPaths
{
    public required IReadOnlyList<string> MpdSlices { get; init; }
    public required string TasteTriplets { get; init; }
    public required string MsdSongs { get; init; }

    /// <summary>
    /// Finds the inputs under a dataset root laid out as the generator writes it and as the licensed
    /// downloads unpack: <c>mpd/</c> (or <c>mpd/data/</c>) with <c>mpd.slice.*.json</c>,
    /// <c>entp/train_triplets.txt</c>, and <c>msd/unique_tracks.txt</c> or <c>msd/song_data.csv</c>.
    /// Explicit paths override discovery. Returns every problem at once instead of the first.
    /// </summary>
    public static RawDatasetPaths Discover(string? root, string? mpd = null, string? triplets = null, string? msd = null)
    {
        var problems = new List<string>();

        IReadOnlyList<string> slices = [];
        var mpdPath = mpd ?? (root is null ? null : Path.Combine(root, "mpd"));
        if (mpdPath is null)
        {
            problems.Add("no MPD input: give a dataset root or --mpd");
        }
        else if (File.Exists(mpdPath))
        {
            slices = [mpdPath];
        }
        else if (Directory.Exists(mpdPath))
        {
            slices = MpdSliceReader.FindSlices(mpdPath);
            if (slices.Count == 0)
            {
                problems.Add($"no mpd.slice.*.json files in '{mpdPath}' or '{Path.Combine(mpdPath, "data")}'");
            }
        }
        else
        {
            problems.Add($"MPD input '{mpdPath}' does not exist");
        }

        var tripletsPath = triplets ?? (root is null ? null : Path.Combine(root, "entp", "train_triplets.txt"));
        if (tripletsPath is null)
        {
            problems.Add("no ENTP triplets input: give a dataset root or --triplets");
        }
        else if (!File.Exists(tripletsPath))
        {
            problems.Add($"ENTP triplets file '{tripletsPath}' does not exist");
        }

        var msdPath = msd;
        if (msdPath is null && root is not null)
        {
            var candidates = new[] { Path.Combine(root, "msd", "unique_tracks.txt"), Path.Combine(root, "msd", "song_data.csv") };
            msdPath = candidates.FirstOrDefault(File.Exists) ?? candidates[0];
        }

        if (msdPath is null)
        {
            problems.Add("no MSD metadata input: give a dataset root or --msd");
        }
        else if (!File.Exists(msdPath))
        {
            problems.Add($"MSD metadata file '{msdPath}' does not exist (expected msd/unique_tracks.txt or msd/song_data.csv)");
        }

        if (problems.Count > 0)
        {
            throw new InvalidDatasetException(problems);
        }

        return new RawDatasetPaths { MpdSlices = slices, TasteTriplets = tripletsPath!, MsdSongs = msdPath! };
    }
}

/// <summary>The dataset's inputs are missing or unusable; <see cref="Problems"/> lists every problem found.</summary>
public sealed class InvalidDatasetException(IReadOnlyList<string> problems)
    : Exception(string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
