using SpotifyBuddies.Core.Preparation;
using SpotifyBuddies.Data.Datasets;
using SpotifyBuddies.Data.Formats;
using SpotifyBuddies.Data.Inspection;
using SpotifyBuddies.Data.Preparation;
using SpotifyBuddies.Data.Synthetic;

namespace SpotifyBuddies.Data.Tests.Preparation;

/// <summary>A fresh directory under the system temp folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"buddies-prep-tests-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Hidden staging or retired directories (<c>.name.tmp-*</c>, <c>.name.old-*</c>) left next to the outputs.</summary>
    public IReadOnlyList<string> Leftovers() =>
        [.. Directory.EnumerateDirectories(Path, ".*").Select(System.IO.Path.GetFileName).OfType<string>()];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}

/// <summary>A hand-made raw dataset: MSD songs, ENTP rows and one MPD slice, written with the production writers.</summary>
public static class MicroDataset
{
    public sealed record Song(string SongId, string Title, string Artist);

    public sealed record Playlist(int Pid, string Name, params (string Title, string Artist)[] Tracks);

    public static RawDatasetPaths Write(string root, IEnumerable<Song> songs, IEnumerable<(string User, string SongId)> rows, IEnumerable<Playlist> playlists)
    {
        Directory.CreateDirectory(Path.Combine(root, "msd"));
        Directory.CreateDirectory(Path.Combine(root, "entp"));
        Directory.CreateDirectory(Path.Combine(root, "mpd"));
        var msd = Path.Combine(root, "msd", "unique_tracks.txt");
        using (var stream = File.Create(msd))
        {
            MsdSongWriter.WriteAll(stream, MsdSongFileFormat.UniqueTracks, songs.Select((s, i) => new MsdSong
            {
                TrackId = FormattableString.Invariant($"TR{i:D6}"),
                SongId = s.SongId,
                Title = s.Title,
                ArtistName = s.Artist,
            }));
        }

        var entp = Path.Combine(root, "entp", "train_triplets.txt");
        using (var stream = File.Create(entp))
        {
            TasteTripletWriter.WriteAll(stream, rows.Select(r => new TasteTriplet(r.User, r.SongId, 1)));
        }

        var slice = Path.Combine(root, "mpd", MpdSliceWriter.SliceFileName(0));
        using (var stream = File.Create(slice))
        {
            MpdSliceWriter.WriteSlice(stream, new MpdSliceInfo { Slice = MpdSliceWriter.SliceRange(0), Version = "v1" }, playlists.Select(p => new MpdPlaylist
            {
                Pid = p.Pid,
                Name = p.Name,
                NumTracks = p.Tracks.Length,
                Tracks = [.. p.Tracks.Select((t, i) => new MpdTrack
                {
                    Pos = i,
                    TrackName = t.Title,
                    ArtistName = t.Artist,
                    TrackUri = FormattableString.Invariant($"spotify:track:{p.Pid}x{i}"),
                })],
            }));
        }

        return RawDatasetPaths.Discover(root);
    }
}

/// <summary>Runs the pipeline the way the tests need it.</summary>
internal static class Prepare
{
    public static Task<PrepareResult> RunAsync(
        RawDatasetPaths inputs,
        string output,
        PreparationParameters? parameters = null,
        bool force = false,
        int threads = 2,
        int blockSize = 32,
        long entpChunkBytes = RawInputLoader.DefaultEntpChunkBytes,
        ReadOptions? readOptions = null,
        CancellationToken cancellationToken = default) =>
        DataPreparation.RunAsync(
            new PrepareRequest
            {
                Inputs = inputs,
                OutputDir = output,
                Parameters = parameters ?? new PreparationParameters(),
                Force = force,
                MaxDegreeOfParallelism = threads,
                BlockSize = blockSize,
                EntpChunkBytes = entpChunkBytes,
                ReadOptions = readOptions ?? ReadOptions.Strict,
            },
            cancellationToken: cancellationToken);

    /// <summary>name → sha256 of every file the manifest lists.</summary>
    public static async Task<Dictionary<string, string>> FileHashesAsync(string dataset)
    {
        var manifest = await DatasetManifest.ReadAsync(Path.Combine(dataset, DatasetManifest.FileName));
        return manifest.Files.ToDictionary(f => f.Name, f => f.Sha256, StringComparer.Ordinal);
    }
}

/// <summary>The <c>tiny</c> synthetic preset, generated once and prepared once (2 threads, blocks of 32 users) for a test class.</summary>
public sealed class TinyPreparedDataset : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new();

    public string Raw => _temp.Sub("raw");

    public string Output => _temp.Sub("prepared");

    public TempDirectory Temp => _temp;

    private RawDatasetPaths? _inputs;
    private PrepareResult? _result;
    private DatasetManifest? _manifest;

    public RawDatasetPaths Inputs => _inputs ?? throw new InvalidOperationException("Not initialised.");

    public PrepareResult Result => _result ?? throw new InvalidOperationException("Not initialised.");

    public DatasetManifest Manifest => _manifest ?? throw new InvalidOperationException("Not initialised.");

    public string PathOf(string name) => Path.Combine(Output, name);

    public async Task InitializeAsync()
    {
        SyntheticDataGenerator.Generate(SynthOptions.Preset("tiny"), Raw);
        _inputs = RawDatasetPaths.Discover(Raw);
        _result = await Prepare.RunAsync(_inputs, Output);
        _manifest = await DatasetManifest.ReadAsync(_result.ManifestPath);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _temp.Dispose();
}
