using System.Globalization;
using System.Text;
using System.Text.Json;
using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Data.Synthetic;

namespace SpotifyBuddies.Data.Tests.Synthetic;

/// <summary>One MPD track as the test parses it from the slice JSON.</summary>
public sealed record ParsedTrack(int Pos, string TrackName, string ArtistName, string TrackUri, string ArtistUri, string AlbumUri, string AlbumName, int DurationMs);

/// <summary>One MPD playlist as the test parses it, with the raw kind of <c>collaborative</c>.</summary>
public sealed record ParsedPlaylist(
    int Pid,
    string Name,
    JsonValueKind CollaborativeKind,
    string? Collaborative,
    int NumTracks,
    int NumAlbums,
    int NumArtists,
    int NumFollowers,
    int NumEdits,
    int DurationMs,
    IReadOnlyList<ParsedTrack> Tracks);

/// <summary>
/// A generated dataset read back with deliberately simple code of the test's own (line splitting,
/// <see cref="JsonDocument"/>, a small RFC 4180 parser), independent of the production readers.
/// Song keys are numbered so libraries and playlists can be compared as sorted int arrays.
/// </summary>
public sealed class ParsedSyntheticDataset
{
    private readonly Dictionary<string, int> _keyIds = new(StringComparer.Ordinal);

    public ParsedSyntheticDataset(string root)
    {
        Root = root;
        foreach (var line in ReadLines(Path.Combine(root, "msd", "unique_tracks.txt")))
        {
            var fields = line.Split("<SEP>");
            UniqueTracks.Add(fields[1], (fields[0], fields[2], fields[3]));
        }

        var csv = ParseCsv(File.ReadAllText(Path.Combine(root, "msd", "song_data.csv"), Encoding.UTF8));
        CsvHeader = csv[0];
        foreach (var row in csv.Skip(1))
        {
            SongData.Add(row[0], row);
        }

        string? previousUser = null;
        foreach (var line in ReadLines(Path.Combine(root, "entp", "train_triplets.txt")))
        {
            var fields = line.Split('\t');
            TripletLines.Add(fields);
            if (fields[0] != previousUser)
            {
                UserOrder.Add(fields[0]);
                previousUser = fields[0];
            }
        }

        foreach (var group in TripletLines.GroupBy(f => f[0], StringComparer.Ordinal))
        {
            Libraries[group.Key] = Sorted(group.Select(f => KeyId(UniqueTracks[f[1]].Title, UniqueTracks[f[1]].Artist)));
        }

        var userTruth = ReadTruth(Path.Combine(root, "truth", "user_genres.tsv"));
        TruthUserOrder = [.. userTruth.Select(t => t.Id)];
        UserGenres = userTruth.ToDictionary(t => t.Id, t => t.Genre, StringComparer.Ordinal);
        PlaylistGenres = ReadTruth(Path.Combine(root, "truth", "playlist_genres.tsv"))
            .ToDictionary(t => int.Parse(t.Id, CultureInfo.InvariantCulture), t => t.Genre);

        foreach (var slice in Directory.GetFiles(Path.Combine(root, "mpd", "data"), "mpd.slice.*.json"))
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(slice));
            SliceInfos[Path.GetFileName(slice)] = document.RootElement.GetProperty("info").Clone();
            foreach (var p in document.RootElement.GetProperty("playlists").EnumerateArray())
            {
                var tracks = p.GetProperty("tracks").EnumerateArray().Select(t => new ParsedTrack(
                    t.GetProperty("pos").GetInt32(),
                    t.GetProperty("track_name").GetString()!,
                    t.GetProperty("artist_name").GetString()!,
                    t.GetProperty("track_uri").GetString()!,
                    t.GetProperty("artist_uri").GetString()!,
                    t.GetProperty("album_uri").GetString()!,
                    t.GetProperty("album_name").GetString()!,
                    t.GetProperty("duration_ms").GetInt32())).ToList();
                var collaborative = p.GetProperty("collaborative");
                Playlists.Add(new ParsedPlaylist(
                    p.GetProperty("pid").GetInt32(),
                    p.GetProperty("name").GetString()!,
                    collaborative.ValueKind,
                    collaborative.ValueKind == JsonValueKind.String ? collaborative.GetString() : null,
                    p.GetProperty("num_tracks").GetInt32(),
                    p.GetProperty("num_albums").GetInt32(),
                    p.GetProperty("num_artists").GetInt32(),
                    p.GetProperty("num_followers").GetInt32(),
                    p.GetProperty("num_edits").GetInt32(),
                    p.GetProperty("duration_ms").GetInt32(),
                    tracks));
            }
        }

        Playlists.Sort((a, b) => a.Pid.CompareTo(b.Pid));
        foreach (var playlist in Playlists)
        {
            PlaylistSongs[playlist.Pid] = Sorted(playlist.Tracks.Select(t => KeyId(t.TrackName, t.ArtistName)).Distinct());
        }
    }

    public string Root { get; }

    /// <summary>song_id → (track_id, artist, title) from <c>unique_tracks.txt</c>.</summary>
    public Dictionary<string, (string TrackId, string Artist, string Title)> UniqueTracks { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<string> CsvHeader { get; }

    /// <summary>song_id → the five CSV fields of <c>song_data.csv</c>.</summary>
    public Dictionary<string, IReadOnlyList<string>> SongData { get; } = new(StringComparer.Ordinal);

    public List<string[]> TripletLines { get; } = [];

    /// <summary>Users in the order their first row appears (repeats if rows are not grouped).</summary>
    public List<string> UserOrder { get; } = [];

    /// <summary>user id → sorted distinct song-key ids.</summary>
    public Dictionary<string, int[]> Libraries { get; } = new(StringComparer.Ordinal);

    /// <summary>user id → primary latent genre, from <c>truth/user_genres.tsv</c>.</summary>
    public IReadOnlyDictionary<string, int> UserGenres { get; }

    /// <summary>The users of <c>truth/user_genres.tsv</c> in file order.</summary>
    public IReadOnlyList<string> TruthUserOrder { get; }

    public Dictionary<int, int> PlaylistGenres { get; }

    public Dictionary<string, JsonElement> SliceInfos { get; } = new(StringComparer.Ordinal);

    public List<ParsedPlaylist> Playlists { get; } = [];

    /// <summary>pid → sorted distinct song-key ids.</summary>
    public Dictionary<int, int[]> PlaylistSongs { get; } = [];

    public int KeyId(string title, string artist)
    {
        var key = SongKey.TryCreate(title, artist)!.Value.Value;
        if (!_keyIds.TryGetValue(key, out var id))
        {
            id = _keyIds.Count;
            _keyIds[key] = id;
        }

        return id;
    }

    /// <summary>Size of the intersection of two sorted arrays.</summary>
    public static int Overlap(int[] a, int[] b)
    {
        int i = 0, j = 0, count = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j])
            {
                count++;
                i++;
                j++;
            }
            else if (a[i] < b[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return count;
    }

    /// <summary>A minimal RFC 4180 parser: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    public static List<IReadOnlyList<string>> ParseCsv(string text)
    {
        var rows = new List<IReadOnlyList<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
            }
            else
            {
                field.Append(c);
            }
        }

        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Rows of a truth file (header skipped): id and primary genre; the primary must lead the genre mix.</summary>
    private static List<(string Id, int Genre)> ReadTruth(string path)
    {
        var truth = new List<(string Id, int Genre)>();
        foreach (var line in ReadLines(path).Skip(1))
        {
            var fields = line.Split('\t');
            var genre = int.Parse(fields[1], CultureInfo.InvariantCulture);
            if (!fields[2].StartsWith(fields[1] + ":", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{path}: primary genre {fields[1]} does not lead the mix '{fields[2]}'");
            }

            truth.Add((fields[0], genre));
        }

        return truth;
    }

    private static IEnumerable<string> ReadLines(string path) =>
        File.ReadAllText(path, Encoding.UTF8).Split('\n').Where(line => line.Length > 0);

    private static int[] Sorted(IEnumerable<int> ids) => [.. ids.Distinct().Order()];
}

/// <summary>The <c>tiny</c> preset, generated once per test class into a temporary directory.</summary>
public sealed class TinySyntheticDataset : IDisposable
{
    public TinySyntheticDataset()
    {
        Root = Path.Combine(Path.GetTempPath(), "sb-synth-tiny-" + Guid.NewGuid().ToString("N"));
        Options = SynthOptions.Preset("tiny");
        Result = SyntheticDataGenerator.Generate(Options, Root);
        Data = new ParsedSyntheticDataset(Root);
    }

    public string Root { get; }

    public SynthOptions Options { get; }

    public SynthResult Result { get; }

    public ParsedSyntheticDataset Data { get; }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}

/// <summary>A unique path under the temp directory (not created), deleted with its contents on dispose.</summary>
public sealed class TempPath : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sb-synth-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
