using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using SpotifyBuddies.Core.Randomness;
using SpotifyBuddies.Data.Formats;

namespace SpotifyBuddies.Data.Synthetic;

/// <summary>
/// Writes a synthetic dataset in the three real input formats, so the whole pipeline runs and is tested
/// without the licensed MPD, ENTP and MSD files. Layout under the output directory:
/// <list type="bullet">
/// <item><c>mpd/data/mpd.slice.{start}-{start+999}.json</c>: 1,000 playlists per slice (the last may be shorter);</item>
/// <item><c>entp/train_triplets.txt</c>: <c>user TAB song_id TAB play_count</c>, grouped by user;</item>
/// <item><c>msd/unique_tracks.txt</c> and <c>msd/song_data.csv</c>: the same songs in both layouts;</item>
/// <item><c>truth/</c>: the latent structure, for evaluation and tests (not an input of the pipeline):
/// <c>genres.tsv</c> (<c>genre name weight songs artists</c>), <c>user_genres.tsv</c>
/// (<c>user_id primary_genre genres</c>) and <c>playlist_genres.tsv</c> (<c>pid primary_genre genres</c>),
/// tab-separated with a header, <c>genres</c> as <c>g:weight,…</c> with the primary genre first;</item>
/// <item><c>synth.json</c>: format version, options, seed, counts and every file's size and SHA-256.</item>
/// </list>
/// </summary>
/// <remarks>
/// <para>The data has real collaborative structure: latent genres shape both user libraries (1–3 genres
/// each) and playlists (1–2 genres), song popularity is Zipf-like within and across genres, and the ENTP
/// and MPD song universes overlap only partly, with some shared songs spelled differently (case, spaces)
/// on the MPD side so that song-key normalisation matters.</para>
/// <para>Deterministic: every user and playlist has its own random stream forked from the seed, so the
/// files are byte-identical for the same options however the work is scheduled. Users are generated in
/// parallel blocks and playlists in parallel slices, streamed to disk; only the song catalogue is held
/// in memory.</para>
/// </remarks>
public static class SyntheticDataGenerator
{
    /// <summary>Version of the layout and of <c>synth.json</c>; bump when either changes.</summary>
    public const int FormatVersion = 1;

    public const string ManifestFileName = "synth.json";
    public const string MpdDirectory = "mpd/data";
    public const string TasteTripletsPath = "entp/train_triplets.txt";
    public const string UniqueTracksPath = "msd/unique_tracks.txt";
    public const string SongDataCsvPath = "msd/song_data.csv";
    public const string GenresTruthPath = "truth/genres.tsv";
    public const string UserGenresTruthPath = "truth/user_genres.tsv";
    public const string PlaylistGenresTruthPath = "truth/playlist_genres.tsv";

    private const int UserBlockSize = 512;

    /// <summary>
    /// Generates the dataset into <paramref name="outDir"/> (created if absent). Files are written to a
    /// temporary sibling directory that is renamed into place at the end, so a crash or cancellation
    /// never leaves a half-written dataset that looks complete.
    /// </summary>
    /// <param name="options">Sizes and seed; validated first.</param>
    /// <param name="outDir">The dataset root to create (or replace, with <paramref name="overwrite"/>).</param>
    /// <param name="overwrite">Replace an existing non-empty <paramref name="outDir"/> (swapped in only once the new dataset is complete).</param>
    /// <param name="progress">Called from worker threads; the implementation must be thread-safe (<see cref="Progress{T}"/> is).</param>
    /// <param name="cancellationToken">Checked per user block and per playlist; on cancellation nothing is left behind.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    /// <exception cref="IOException"><paramref name="outDir"/> is a file, or a non-empty directory and <paramref name="overwrite"/> is false.</exception>
    public static SynthResult Generate(
        SynthOptions options,
        string outDir,
        bool overwrite = false,
        IProgress<SynthPhaseProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid synthetic data options: " + string.Join(" ", errors), nameof(options));
        }

        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outDir));
        if (File.Exists(root))
        {
            throw new IOException($"Cannot generate into '{root}': it is a file.");
        }

        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any() && !overwrite)
        {
            throw new IOException($"Cannot generate into '{root}': the directory is not empty (pass overwrite to replace it).");
        }

        var parent = Path.GetDirectoryName(root) ?? throw new IOException($"Cannot generate into the file-system root '{root}'.");
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(root)}.synth-{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(staging);
        var placed = false;
        try
        {
            var summary = GenerateInto(options, staging, progress, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            MoveIntoPlace(staging, root);
            placed = true;
            return new SynthResult
            {
                Root = root,
                MpdSlices = [.. summary.MpdSlices.Select(relative => Combine(root, relative))],
                TasteTriplets = Combine(root, TasteTripletsPath),
                UniqueTracks = Combine(root, UniqueTracksPath),
                SongDataCsv = Combine(root, SongDataCsvPath),
                TripletRows = summary.TripletRows,
                PlaylistTracks = summary.PlaylistTracks,
                Users = options.Users,
                Playlists = options.Playlists,
                Songs = options.Songs,
            };
        }
        finally
        {
            if (!placed)
            {
                TryDeleteDirectory(staging);
            }
        }
    }

    /// <summary>The latent world (catalogue plus user/playlist factory) that <see cref="Generate"/> writes for these options.</summary>
    internal static SyntheticPopulation CreateWorld(SynthOptions options)
    {
        var root = new DeterministicRandom(options.Seed);
        var catalogue = SyntheticCatalogue.Build(options, root.Fork("catalogue"));
        return new SyntheticPopulation(catalogue, root.Fork("population"));
    }

    /// <summary>The MPD <c>info.generated_on</c> stamp: fixed for a seed (never the wall clock), MPD-shaped.</summary>
    internal static string GeneratedOn(ulong seed)
    {
        var baseTime = new DateTime(2017, 12, 1, 0, 0, 0, DateTimeKind.Utc);
        var offsetMicroseconds = (long)(SplitMix64.Mix(seed ^ 0x4D5044_47454E4FUL) % (3UL * 86_400 * 1_000_000));
        return baseTime.AddTicks(offsetMicroseconds * 10).ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
    }

    private static GenerationSummary GenerateInto(SynthOptions options, string dir, IProgress<SynthPhaseProgress>? progress, CancellationToken cancellationToken)
    {
        progress?.Report(new SynthPhaseProgress("catalogue", 0, 1));
        var world = CreateWorld(options);
        var catalogue = world.Catalogue;
        progress?.Report(new SynthPhaseProgress("catalogue", 1, 1));
        cancellationToken.ThrowIfCancellationRequested();

        var files = new List<FileEntry>();
        files.AddRange(WriteMsd(catalogue, dir, progress, cancellationToken));

        var entpUsed = new bool[catalogue.SongCount];
        var (tripletRows, entpFiles) = WriteEntp(world, options.Users, dir, entpUsed, progress, cancellationToken);
        files.AddRange(entpFiles);

        var mpdUsed = new bool[catalogue.SongCount];
        var (slices, playlistTracks, mpdFiles) = WriteMpd(world, options, dir, mpdUsed, progress, cancellationToken);
        files.AddRange(mpdFiles);

        files.Add(WriteText(dir, GenresTruthPath, writer =>
        {
            writer.Write("genre\tname\tweight\tsongs\tartists\n");
            var artists = new int[catalogue.GenreCount];
            foreach (var genre in catalogue.ArtistGenre)
            {
                artists[genre]++;
            }

            for (var g = 0; g < catalogue.GenreCount; g++)
            {
                writer.Write(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{g}\t{catalogue.GenreNames[g]}\t{catalogue.GenreWeights[g]:0.000000}\t{catalogue.GenreStart[g + 1] - catalogue.GenreStart[g]}\t{artists[g]}\n"));
            }
        }));

        progress?.Report(new SynthPhaseProgress("manifest", 0, 1));
        var entpKeys = entpUsed.Count(used => used);
        var mpdKeys = mpdUsed.Count(used => used);
        var sharedKeys = 0;
        for (var song = 0; song < catalogue.SongCount; song++)
        {
            if (entpUsed[song] && mpdUsed[song])
            {
                sharedKeys++;
            }
        }

        WriteManifest(dir, options, catalogue, files, new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["users"] = options.Users,
            ["playlists"] = options.Playlists,
            ["songs"] = catalogue.SongCount,
            ["genres"] = catalogue.GenreCount,
            ["artists"] = catalogue.ArtistCount,
            ["albums"] = catalogue.AlbumCount,
            ["sharedSongs"] = catalogue.SharedSongs,
            ["entpOnlySongs"] = catalogue.EntpOnlySongs,
            ["mpdOnlySongs"] = catalogue.MpdOnlySongs,
            ["msdSongIds"] = catalogue.SharedSongs + catalogue.EntpOnlySongs + catalogue.AlternateSongIds.Length,
            ["mpdSlices"] = slices.Count,
            ["tripletRows"] = tripletRows,
            ["playlistTracks"] = playlistTracks,
            ["entpSongKeysUsed"] = entpKeys,
            ["mpdSongKeysUsed"] = mpdKeys,
            ["sharedSongKeysUsed"] = sharedKeys,
        });
        progress?.Report(new SynthPhaseProgress("manifest", 1, 1));
        return new GenerationSummary(slices, tripletRows, playlistTracks);
    }

    private static IEnumerable<FileEntry> WriteMsd(SyntheticCatalogue catalogue, string dir, IProgress<SynthPhaseProgress>? progress, CancellationToken cancellationToken)
    {
        // One row per MSD song id (alternate ids included), ordered by song id as an index file would be.
        var rows = new List<MsdSong>(catalogue.SharedSongs + catalogue.EntpOnlySongs + catalogue.AlternateSongIds.Length);
        for (var song = 0; song < catalogue.SongCount; song++)
        {
            if (catalogue.SongId[song] is not { } songId)
            {
                continue;
            }

            var album = catalogue.AlbumNames[catalogue.SongAlbum[song]];
            var artist = catalogue.ArtistNames[catalogue.SongArtist[song]];
            rows.Add(new MsdSong
            {
                SongId = songId,
                Title = catalogue.Title[song],
                ArtistName = artist,
                TrackId = catalogue.TrackId[song],
                Release = album,
                Year = catalogue.Year[song],
            });
            if (catalogue.AlternateOf[song] is var alternate and >= 0)
            {
                rows.Add(new MsdSong
                {
                    SongId = catalogue.AlternateSongIds[alternate],
                    Title = catalogue.Title[song],
                    ArtistName = artist,
                    TrackId = catalogue.AlternateTrackIds[alternate],
                    Release = album + " (Remastered)",
                    Year = catalogue.Year[song],
                });
            }
        }

        rows.Sort((a, b) => string.CompareOrdinal(a.SongId, b.SongId));
        progress?.Report(new SynthPhaseProgress("msd", 0, 2));
        var uniqueTracks = WriteFile(dir, UniqueTracksPath, stream => MsdSongWriter.WriteAll(stream, MsdSongFileFormat.UniqueTracks, rows, cancellationToken));
        progress?.Report(new SynthPhaseProgress("msd", 1, 2));
        var songData = WriteFile(dir, SongDataCsvPath, stream => MsdSongWriter.WriteAll(stream, MsdSongFileFormat.SongDataCsv, rows, cancellationToken));
        progress?.Report(new SynthPhaseProgress("msd", 2, 2));
        return [uniqueTracks, songData];
    }

    private static (long Rows, FileEntry[] Files) WriteEntp(
        SyntheticPopulation world, int users, string dir, bool[] used, IProgress<SynthPhaseProgress>? progress, CancellationToken cancellationToken)
    {
        var blocks = (users + UserBlockSize - 1) / UserBlockSize;
        var wave = Math.Max(1, Environment.ProcessorCount * 2);
        long rows = 0;
        using var triplets = OpenHashed(dir, TasteTripletsPath);
        using var truth = OpenHashed(dir, UserGenresTruthPath);
        WriteUtf8(truth, "user_id\tprimary_genre\tgenres\n");
        progress?.Report(new SynthPhaseProgress("entp", 0, users));
        for (var first = 0; first < blocks; first += wave)
        {
            var results = new UserBlock[Math.Min(wave, blocks - first)];
            ForEachParallel(results.Length, i => results[i] = GenerateUserBlock(world, first + i, users, used, cancellationToken), cancellationToken);
            foreach (var block in results)
            {
                triplets.Write(block.Triplets);
                WriteUtf8(truth, block.Truth);
                rows += block.Rows;
            }

            progress?.Report(new SynthPhaseProgress("entp", Math.Min((long)(first + results.Length) * UserBlockSize, users), users));
        }

        triplets.Flush();
        truth.Flush();
        return (rows, [Entry(TasteTripletsPath, triplets), Entry(UserGenresTruthPath, truth)]);
    }

    private static UserBlock GenerateUserBlock(SyntheticPopulation world, int block, int users, bool[] used, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var start = block * UserBlockSize;
        var end = Math.Min(users, start + UserBlockSize);
        using var buffer = new MemoryStream();
        var truth = new StringBuilder((end - start) * 64);
        long rows = 0;
        using (var writer = new TasteTripletWriter(buffer, leaveOpen: true))
        {
            for (var u = start; u < end; u++)
            {
                var user = world.CreateUser(u);
                for (var i = 0; i < user.Songs.Length; i++)
                {
                    writer.Write(user.UserId, user.SongIds[i], user.PlayCounts[i]);

                    // Racy but benign: every writer stores the same value, and the parallel loop's end is a barrier.
                    used[user.Songs[i]] = true;
                }

                rows += user.Songs.Length;
                truth.Append(SyntheticPopulation.TruthLine(user.UserId, user.Genres, user.GenreWeights));
            }
        }

        return new UserBlock(buffer.ToArray(), truth.ToString(), rows);
    }

    private static (IReadOnlyList<string> Slices, long Tracks, FileEntry[] Files) WriteMpd(
        SyntheticPopulation world, SynthOptions options, string dir, bool[] used, IProgress<SynthPhaseProgress>? progress, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Combine(dir, MpdDirectory));
        var sliceCount = (options.Playlists + MpdSliceWriter.PlaylistsPerSlice - 1) / MpdSliceWriter.PlaylistsPerSlice;
        var outcomes = new SliceOutcome[sliceCount];
        var generatedOn = GeneratedOn(options.Seed);
        long done = 0;
        progress?.Report(new SynthPhaseProgress("mpd", 0, options.Playlists));
        ForEachParallel(sliceCount, slice =>
        {
            outcomes[slice] = GenerateSlice(world, slice, options.Playlists, dir, generatedOn, used, cancellationToken);
            var total = Interlocked.Add(ref done, outcomes[slice].Playlists);
            progress?.Report(new SynthPhaseProgress("mpd", total, options.Playlists));
        }, cancellationToken);

        using var truth = OpenHashed(dir, PlaylistGenresTruthPath);
        WriteUtf8(truth, "pid\tprimary_genre\tgenres\n");
        foreach (var outcome in outcomes)
        {
            WriteUtf8(truth, outcome.Truth);
        }

        truth.Flush();
        var files = outcomes.Select(o => o.File).Append(Entry(PlaylistGenresTruthPath, truth)).ToArray();
        return (outcomes.Select(o => o.File.Path).ToArray(), outcomes.Sum(o => o.Tracks), files);
    }

    private static SliceOutcome GenerateSlice(
        SyntheticPopulation world, int slice, int playlists, string dir, string generatedOn, bool[] used, CancellationToken cancellationToken)
    {
        var start = slice * MpdSliceWriter.PlaylistsPerSlice;
        var end = Math.Min(playlists, start + MpdSliceWriter.PlaylistsPerSlice);
        var relative = MpdDirectory + "/" + MpdSliceWriter.SliceFileName(start);
        var truth = new StringBuilder((end - start) * 24);
        long tracks = 0;
        using var stream = OpenHashed(dir, relative);
        using (var writer = new MpdSliceWriter(stream, new MpdSliceInfo { GeneratedOn = generatedOn, Slice = MpdSliceWriter.SliceRange(start), Version = "v1" }, leaveOpen: true))
        {
            for (var pid = start; pid < end; pid++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var playlist = world.CreatePlaylist(pid);
                writer.Write(playlist.Playlist);
                foreach (var song in playlist.Songs)
                {
                    used[song] = true;
                }

                tracks += playlist.Songs.Length;
                truth.Append(SyntheticPopulation.TruthLine(pid.ToString(CultureInfo.InvariantCulture), playlist.Genres, playlist.GenreWeights));
            }

            writer.Complete();
        }

        stream.Flush();
        return new SliceOutcome(Entry(relative, stream), end - start, tracks, truth.ToString());
    }

    private static void WriteManifest(string dir, SynthOptions options, SyntheticCatalogue catalogue, List<FileEntry> files, Dictionary<string, long> counts)
    {
        using var stream = new FileStream(Combine(dir, ManifestFileName), FileMode.CreateNew, FileAccess.Write, FileShare.None);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("formatVersion", FormatVersion);
        json.WriteString("generator", "SpotifyBuddies.Data.Synthetic");
        json.WriteNumber("seed", options.Seed);
        json.WriteStartObject("options");
        json.WriteNumber("users", options.Users);
        json.WriteNumber("playlists", options.Playlists);
        json.WriteNumber("songs", options.Songs);
        json.WriteNumber("genres", options.Genres);
        json.WriteNumber("seed", options.Seed);
        json.WriteEndObject();
        json.WriteStartObject("counts");
        foreach (var (name, value) in counts)
        {
            json.WriteNumber(name, value);
        }

        json.WriteEndObject();
        json.WriteStartObject("truth");
        json.WriteString("genres", GenresTruthPath);
        json.WriteString("userGenres", UserGenresTruthPath);
        json.WriteString("playlistGenres", PlaylistGenresTruthPath);
        json.WriteEndObject();
        json.WriteStartObject("parameters");
        json.WriteNumber("genres", catalogue.GenreCount);
        json.WriteNumber("songZipfExponent", SyntheticCatalogue.SongZipfExponent);
        json.WriteNumber("songZipfOffset", SyntheticCatalogue.SongZipfOffset);
        json.WriteNumber("genreZipfExponent", SyntheticCatalogue.GenreZipfExponent);
        json.WriteNumber("respellProbability", SyntheticCatalogue.RespellProbability);
        json.WriteNumber("alternateIdProbability", SyntheticCatalogue.AlternateIdProbability);
        json.WriteNumber("userNoise", SyntheticPopulation.UserNoise);
        json.WriteNumber("playlistNoise", SyntheticPopulation.PlaylistNoise);
        json.WriteEndObject();
        json.WriteStartArray("files");
        foreach (var file in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            json.WriteStartObject();
            json.WriteString("path", file.Path);
            json.WriteNumber("bytes", file.Bytes);
            json.WriteString("sha256", file.Sha256);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }

    private static FileEntry WriteFile(string dir, string relative, Action<Stream> write)
    {
        using var stream = OpenHashed(dir, relative);
        write(stream);
        stream.Flush();
        return Entry(relative, stream);
    }

    private static FileEntry WriteText(string dir, string relative, Action<TextWriter> write) =>
        WriteFile(dir, relative, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024, leaveOpen: true);
            write(writer);
        });

    private static HashingWriteStream OpenHashed(string dir, string relative)
    {
        var path = Combine(dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return new HashingWriteStream(new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024));
    }

    private static void WriteUtf8(Stream stream, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        stream.Write(bytes);
    }

    private static FileEntry Entry(string relative, HashingWriteStream stream) => new(relative, stream.Length, stream.Sha256Hex());

    private static string Combine(string root, string relative) =>
        Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Runs <paramref name="body"/> for 0..count−1 on all cores; rethrows the first failure itself, not wrapped.</summary>
    private static void ForEachParallel(int count, Action<int> body, CancellationToken cancellationToken)
    {
        var options = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
        try
        {
            Parallel.For(0, count, options, body);
        }
        catch (AggregateException failure) when (failure.InnerExceptions.Count > 0)
        {
            var first = failure.InnerExceptions.FirstOrDefault(e => e is not OperationCanceledException) ?? failure.InnerExceptions[0];
            ExceptionDispatchInfo.Capture(first).Throw();
            throw;
        }
    }

    private static void MoveIntoPlace(string staging, string root)
    {
        if (!Directory.Exists(root))
        {
            Directory.Move(staging, root);
            return;
        }

        // Swap: the old directory steps aside first, so a failure can put it back.
        var retired = $"{root}.synth-old-{Guid.NewGuid():N}";
        Directory.Move(root, retired);
        try
        {
            Directory.Move(staging, root);
        }
        catch (IOException)
        {
            Directory.Move(retired, root);
            throw;
        }

        Directory.Delete(retired, recursive: true);
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: the staging directory's name marks it as temporary; the original error matters more.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }

    private sealed record GenerationSummary(IReadOnlyList<string> MpdSlices, long TripletRows, long PlaylistTracks);

    private sealed record FileEntry(string Path, long Bytes, string Sha256);

    private sealed record UserBlock(byte[] Triplets, string Truth, long Rows);

    private sealed record SliceOutcome(FileEntry File, int Playlists, long Tracks, string Truth);
}
