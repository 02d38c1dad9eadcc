using System.Buffers;
using System.Runtime.ExceptionServices;
using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Data.Datasets;
using SpotifyBuddies.Data.Formats;
using SpotifyBuddies.Data.Inspection;

namespace SpotifyBuddies.Data.Preparation;

/// <summary>The raw inputs as sparse matrices over one song-key index.</summary>
internal sealed class LoadedInputs
{
    /// <summary>ENTP user hashes of the indexed users (those with at least one known song), in first-appearance order.</summary>
    public required string[] UserIds { get; init; }

    /// <summary>User → songs (unique, ascending song indexes): the user's library.</summary>
    public required SparseRows UserSongs { get; init; }

    /// <summary>MPD pid of each playlist, playlists numbered by a running counter in slice-file order.</summary>
    public required int[] PlaylistPids { get; init; }

    public required string[] PlaylistNames { get; init; }

    /// <summary>Playlist → songs (unique, ascending song indexes).</summary>
    public required SparseRows PlaylistSongs { get; init; }

    /// <summary>Song keys, ordinal-sorted: song index = position.</summary>
    public required string[] SongKeys { get; init; }

    public required InputStats Stats { get; init; }

    public required IReadOnlyList<DatasetInput> Inputs { get; init; }

    /// <summary>The first malformed records skipped (with --skip-bad), for the warnings.</summary>
    public required IReadOnlyList<string> SkippedErrors { get; init; }
}

/// <summary>
/// Reads MSD, ENTP and MPD with the streaming readers and builds the sparse matrices. MPD slices are parsed in
/// parallel (each into slice-local song-key ids) and merged strictly in slice order, so playlist indexes follow
/// file order whatever the scheduling; at the same time the ENTP file is parsed in line-aligned chunks that are
/// merged in file order (users keep their first-appearance order, errors their file line numbers). Every input
/// is hashed (SHA-256), MPD slices while they are parsed.
/// </summary>
/// <remarks>
/// Dropped, and counted: ENTP rows whose song id has no MSD row or whose MSD title/artist is blank, MPD tracks
/// with a blank title or artist, repeated MSD song ids after their first row. A user is indexed at their first
/// usable row; users without one are not indexed. ENTP line numbers count '\n' line ends.
/// </remarks>
internal static class RawInputLoader
{
    public const string Phase = "read inputs";

    /// <summary>ENTP bytes per parallel chunk, unless told otherwise.</summary>
    public const long DefaultEntpChunkBytes = 32L << 20;

    public static LoadedInputs Load(
        RawDatasetPaths paths,
        ReadOptions options,
        int maxDegreeOfParallelism,
        long entpChunkBytes,
        IProgress<PreparePhaseProgress>? progress,
        CancellationToken cancellationToken)
    {
        var totalBytes = new FileInfo(paths.MsdSongs).Length + new FileInfo(paths.TasteTriplets).Length
            + paths.MpdSlices.Sum(s => new FileInfo(s).Length);
        var tracker = new ByteProgress(progress, totalBytes);

        // MPD slices are parsed from the start; meanwhile MSD is read (ENTP needs its song id → key join), then ENTP
        // chunks are parsed while the MSD file is hashed. An MSD error wins over an MPD one, as when MSD was read first.
        MsdResult? msd = null;
        EntpResult? entp = null;
        MpdResult? mpd = null;
        string? msdHash = null;
        Exception? msdError = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            Parallelism.Run(() => Parallel.Invoke(
                new ParallelOptions { CancellationToken = cancellationToken },
                () =>
                {
                    try
                    {
                        msd = ReadMsd(paths.MsdSongs, options, tracker, stop.Token);
                    }
                    catch (Exception error) when (error is not OperationCanceledException)
                    {
                        msdError = error;
                        stop.Cancel();
                        throw;
                    }

                    Parallelism.Run(() => Parallel.Invoke(
                        new ParallelOptions { CancellationToken = stop.Token },
                        () => entp = ReadEntp(paths.TasteTriplets, msd, options, maxDegreeOfParallelism, entpChunkBytes, tracker, stop.Token),
                        () => msdHash = FileHashing.Sha256OfFile(paths.MsdSongs)));
                },
                () => mpd = ReadMpd(paths.MpdSlices, options, maxDegreeOfParallelism, tracker, stop.Token)));
        }
        catch (Exception) when (msdError is not null && !cancellationToken.IsCancellationRequested)
        {
            ExceptionDispatchInfo.Capture(msdError).Throw();
            throw;
        }

        tracker.Complete();
        var msdInput = new DatasetInput
        {
            Role = "msd",
            Path = Path.GetFullPath(paths.MsdSongs),
            Bytes = new FileInfo(paths.MsdSongs).Length,
            Sha256 = msdHash!,
        };
        return Build(msd!, msdInput, entp!, mpd!, paths);
    }

    private static MsdResult ReadMsd(string path, ReadOptions options, ByteProgress tracker, CancellationToken cancellationToken)
    {
        var report = new ReadReport();
        var keyIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var keys = new List<string>();
        var keyBySongId = new Dictionary<string, int>(StringComparer.Ordinal);
        long blank = 0;
        long duplicates = 0;
        long conflicting = 0;
        foreach (var song in MsdSongReader.Read(path, options, report, cancellationToken))
        {
            var id = -1;
            if (SongKey.TryCreate(song.Title, song.ArtistName) is { } key)
            {
                if (!keyIds.TryGetValue(key.Value, out id))
                {
                    id = keys.Count;
                    keyIds.Add(key.Value, id);
                    keys.Add(key.Value);
                }
            }
            else
            {
                blank++;
            }

            // The first row of a song id wins (unique_tracks.txt repeats song ids across tracks).
            if (!keyBySongId.TryAdd(song.SongId, id))
            {
                duplicates++;
                if (keyBySongId[song.SongId] != id)
                {
                    conflicting++;
                }
            }
        }

        tracker.Add(new FileInfo(path).Length);
        return new MsdResult(keys, keyBySongId, report, blank, duplicates, conflicting);
    }

    // ENTP is one big file: it is cut at line boundaries into chunks parsed in parallel and merged in file order,
    // so users keep their first-appearance order and errors their file line numbers; it is hashed meanwhile.
    private static EntpResult ReadEntp(
        string path,
        MsdResult msd,
        ReadOptions options,
        int workers,
        long chunkBytes,
        ByteProgress tracker,
        CancellationToken cancellationToken)
    {
        var length = new FileInfo(path).Length;
        var bounds = ChunkBounds(path, length, (int)Math.Clamp((length + chunkBytes - 1) / Math.Max(1, chunkBytes), 1, 4096));
        var chunks = new EntpChunk[bounds.Length - 1];
        var songIds = EntpChunkScanner.SongIds.From(msd.KeyBySongId);
        string? hash = null;
        Parallelism.Run(() => Parallel.Invoke(
            new ParallelOptions { CancellationToken = cancellationToken },
            () => hash = FileHashing.Sha256OfFile(path),
            () => Parallelism.Run(() => Parallel.For(
                0,
                chunks.Length,
                new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken },
                c => chunks[c] = ReadEntpChunk(path, bounds[c], bounds[c + 1], msd, songIds, options, tracker, cancellationToken)))));

        // Line numbers: each chunk's are relative to its start.
        var lineOffsets = new long[chunks.Length];
        for (var c = 1; c < chunks.Length; c++)
        {
            lineOffsets[c] = lineOffsets[c - 1] + chunks[c - 1].Newlines;
        }

        for (var c = 0; c < chunks.Length; c++)
        {
            if (chunks[c].Failure is { } failure)
            {
                // Strict mode: the first malformed record in file order (every earlier chunk was read to its end).
                var error = failure.Error with { Line = failure.Error.Line + lineOffsets[c] };
                throw failure.InnerException is null ? new DataFormatException(error) : new DataFormatException(error, failure.InnerException);
            }
        }

        var userIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var userIds = new List<string>();
        var seenUsers = new HashSet<string>(StringComparer.Ordinal);
        var rowUsers = new IntBuffer(1 << 16);
        var rowKeys = new IntBuffer(1 << 16);
        var keyUsed = new bool[msd.Keys.Count];
        var errors = new List<string>();
        long rows = 0, unknown = 0, blank = 0, records = 0, skipped = 0;
        for (var c = 0; c < chunks.Length; c++)
        {
            var chunk = chunks[c];
            rows += chunk.Rows;
            unknown += chunk.Unknown;
            blank += chunk.Blank;
            records += chunk.Report.Records;
            skipped += chunk.Report.Skipped;
            foreach (var error in chunk.Report.Errors)
            {
                if (errors.Count < options.MaxErrorsKept)
                {
                    errors.Add((error with { Line = error.Line + lineOffsets[c] }).ToString());
                }
            }

            var keys = chunk.Keys;
            for (var r = 0; r < chunk.Runs.Count; r++)
            {
                var (user, first) = chunk.Runs[r];
                var end = r + 1 < chunk.Runs.Count ? chunk.Runs[r + 1].FirstKey : keys.Length;
                seenUsers.Add(user);
                if (end == first)
                {
                    continue;
                }

                // Indexed at the first row that has a known song (first-appearance order among usable rows).
                if (!userIndex.TryGetValue(user, out var index))
                {
                    index = userIds.Count;
                    userIndex.Add(user, index);
                    userIds.Add(user);
                }

                for (var k = first; k < end; k++)
                {
                    rowUsers.Add(index);
                    rowKeys.Add(keys[k]);
                    keyUsed[keys[k]] = true;
                }
            }
        }

        return new EntpResult(
            [.. userIds], rowUsers.Detach(), rowKeys.Detach(), keyUsed, records, skipped, errors, rows, unknown, blank, seenUsers.Count,
            new DatasetInput { Role = "entp", Path = Path.GetFullPath(path), Bytes = length, Sha256 = hash! });
    }

    // Chunks up to this size are read whole and tried on the fast path first.
    private const long MaxScannedChunkBytes = 256L << 20;

    private static EntpChunk ReadEntpChunk(
        string path,
        long start,
        long end,
        MsdResult msd,
        EntpChunkScanner.SongIds songIds,
        ReadOptions options,
        ByteProgress tracker,
        CancellationToken cancellationToken)
    {
        if (end - start <= MaxScannedChunkBytes && TryScanEntpChunk(path, start, (int)(end - start), songIds, cancellationToken) is { } scanned)
        {
            tracker.Add(end - start);
            var plain = new ReadReport();
            plain.CountRecords(scanned.Rows);
            return new EntpChunk(scanned.Runs, scanned.Keys, plain, scanned.Rows, scanned.Unknown, scanned.Blank, scanned.Newlines, null);
        }

        var report = new ReadReport();
        var runs = new List<(string User, int FirstKey)>();
        var keys = new IntBuffer(1 << 16);
        long rows = 0, unknown = 0, blank = 0;
        string? lastUser = null;
        DataFormatException? failure = null;
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        file.Seek(start, SeekOrigin.Begin);
        using var window = new WindowStream(file, end - start, tracker.Add);
        try
        {
            foreach (var row in TasteTripletReader.Read(window, path, options, report, cancellationToken))
            {
                rows++;
                if (!ReferenceEquals(row.UserId, lastUser))
                {
                    lastUser = row.UserId;
                    runs.Add((row.UserId, keys.Count));
                }

                if (!msd.KeyBySongId.TryGetValue(row.SongId, out var key))
                {
                    unknown++;
                }
                else if (key < 0)
                {
                    blank++;
                }
                else
                {
                    keys.Add(key);
                }
            }
        }
        catch (DataFormatException error)
        {
            failure = error;
        }

        window.Drain();
        return new EntpChunk(runs, keys.Detach(), report, rows, unknown, blank, window.Newlines, failure);
    }

    private static EntpChunkScanner.Result? TryScanEntpChunk(string path, long start, int length, EntpChunkScanner.SongIds songIds, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan))
            {
                file.Seek(start, SeekOrigin.Begin);
                file.ReadExactly(buffer, 0, length);
            }

            cancellationToken.ThrowIfCancellationRequested();
            return EntpChunkScanner.TryScan(buffer.AsSpan(0, length), songIds);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Chunk starts at line starts: each guess at i·length/count moves past the next '\n'.
    private static long[] ChunkBounds(string path, long length, int count)
    {
        var bounds = new List<long> { 0 };
        if (count > 1)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            var buffer = new byte[1 << 16];
            for (var i = 1; i < count; i++)
            {
                var position = Math.Max(bounds[^1], length * i / count);
                file.Seek(position, SeekOrigin.Begin);
                int read;
                var found = false;
                while (!found && (read = file.Read(buffer)) > 0)
                {
                    var newline = buffer.AsSpan(0, read).IndexOf((byte)'\n');
                    if (newline >= 0)
                    {
                        position += newline + 1;
                        found = true;
                    }
                    else
                    {
                        position += read;
                    }
                }

                if (position >= length)
                {
                    break;
                }

                if (position > bounds[^1])
                {
                    bounds.Add(position);
                }
            }
        }

        bounds.Add(length);
        return [.. bounds];
    }

    private static MpdResult ReadMpd(
        IReadOnlyList<string> slices,
        ReadOptions options,
        int workers,
        ByteProgress tracker,
        CancellationToken cancellationToken)
    {
        var merged = new MpdMerge(slices.Count);
        var pending = new SliceResult?[slices.Count];
        var nextToParse = -1;
        var nextToMerge = 0;
        var mergeLock = new Lock();

        // Workers take slices in file order from a shared counter, so the out-of-order window (and the memory held
        // by parsed-but-unmerged slices) stays about one slice per worker.
        Parallelism.Run(() => Parallel.For(
            0,
            Math.Min(workers, Math.Max(1, slices.Count)),
            new ParallelOptions { CancellationToken = cancellationToken },
            _ =>
            {
                var scratch = new MpdSliceScanner.Scratch();
                int index;
                while ((index = Interlocked.Increment(ref nextToParse)) < slices.Count)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var result = ParseSlice(slices[index], options, scratch, tracker, cancellationToken);
                    lock (mergeLock)
                    {
                        pending[index] = result;
                        while (nextToMerge < slices.Count && pending[nextToMerge] is { } ready)
                        {
                            merged.Append(ready);
                            pending[nextToMerge] = null;
                            nextToMerge++;
                        }
                    }
                }
            }));

        return merged.Finish();
    }

    // Slices are read with a large buffer: a playlist cut by the buffer end is parsed again after the refill.
    private const int SliceBufferSize = 1 << 20;

    // Slices up to this size are read whole and tried on the fast path first (real slices are about 33 MB).
    private const long MaxScannedSliceBytes = 512L << 20;

    // A slice is read into memory and hashed; plain slices are scanned by MpdSliceScanner, any other goes through the
    // streaming reader (over the same bytes), which reports what is wrong. Bigger slices are streamed from the file.
    private static SliceResult ParseSlice(
        string path, ReadOptions options, MpdSliceScanner.Scratch scratch, ByteProgress tracker, CancellationToken cancellationToken)
    {
        var length = new FileInfo(path).Length;
        if (length > MaxScannedSliceBytes)
        {
            return StreamSlice(path, options, tracker, cancellationToken);
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            int read;
            using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan))
            {
                read = file.ReadAtLeast(buffer.AsSpan(0, (int)length), (int)length, throwOnEndOfStream: false);
            }

            tracker.Add(read);
            var bytes = buffer.AsSpan(0, read);
            var input = new DatasetInput { Role = "mpd", Path = Path.GetFullPath(path), Bytes = read, Sha256 = FileHashing.Sha256Hex(bytes) };
            cancellationToken.ThrowIfCancellationRequested();
            var scanned = new SliceBuilder();
            if (MpdSliceScanner.TryScan(bytes, new MpdPlaylistKeys(), scratch, scanned.Add))
            {
                var report = new ReadReport();
                report.CountRecords(scanned.Playlists);
                return scanned.Result(report, input);
            }

            var streamed = new SliceBuilder();
            var errors = new ReadReport();
            using var stream = new MemoryStream(buffer, 0, read, writable: false);
            foreach (var playlist in MpdSliceReader.ReadKeys(stream, path, options, errors, SliceBufferSize, cancellationToken))
            {
                streamed.Add(playlist);
            }

            return streamed.Result(errors, input);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static SliceResult StreamSlice(string path, ReadOptions options, ByteProgress tracker, CancellationToken cancellationToken)
    {
        var report = new ReadReport();
        var builder = new SliceBuilder();
        using var stream = new HashingReadStream(
            new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan),
            tracker.Add);
        foreach (var playlist in MpdSliceReader.ReadKeys(stream, path, options, report, SliceBufferSize, cancellationToken))
        {
            builder.Add(playlist);
        }

        var hash = stream.FinishHash();
        return builder.Result(report, new DatasetInput { Role = "mpd", Path = Path.GetFullPath(path), Bytes = stream.BytesRead, Sha256 = hash });
    }

    /// <summary>One slice's playlists with slice-local song key ids, gathered playlist by playlist.</summary>
    private sealed class SliceBuilder
    {
        private readonly Utf8KeyTable _keys = new(1 << 14);
        private readonly List<int> _pids = new(1000);
        private readonly List<string> _names = new(1000);
        private IntBuffer _stamps = new(1 << 14);
        private IntBuffer _offsets = new(1001);
        private IntBuffer _songs = new(1 << 16);
        private long _tracks;
        private long _blank;

        public SliceBuilder() => _offsets.Add(0);

        public int Playlists => _pids.Count;

        public void Add(MpdPlaylistKeys playlist)
        {
            var ordinal = _pids.Count;
            _pids.Add(playlist.Pid);
            _names.Add(playlist.Name);
            _tracks += playlist.Tracks;
            _blank += playlist.BlankTracks;
            for (var k = 0; k < playlist.KeyCount; k++)
            {
                var id = _keys.GetOrAdd(playlist.Key(k));
                if (id == _stamps.Count)
                {
                    _stamps.Add(-1);
                }

                // A playlist is a set of songs: a repeated track counts once.
                if (_stamps.Span[id] != ordinal)
                {
                    _stamps.Span[id] = ordinal;
                    _songs.Add(id);
                }
            }

            _offsets.Add(_songs.Count);
        }

        public SliceResult Result(ReadReport report, DatasetInput input) =>
            new([.. _pids], [.. _names], _keys, _offsets.Detach(), _songs.Detach(), _tracks, _blank, report, input);
    }

    private static LoadedInputs Build(MsdResult msd, DatasetInput msdInput, EntpResult entp, MpdResult mpd, RawDatasetPaths paths)
    {
        // Song index: the ordinal-sorted union of the keys ENTP users have and the keys MPD playlists have.
        var entpKeyIds = new IntBuffer(1 << 12);
        for (var k = 0; k < entp.KeyUsed.Length; k++)
        {
            if (entp.KeyUsed[k])
            {
                entpKeyIds.Add(k);
            }
        }

        var entpIds = entpKeyIds.Detach();
        var entpStrings = new string[entpIds.Length];
        for (var i = 0; i < entpIds.Length; i++)
        {
            entpStrings[i] = msd.Keys[entpIds[i]];
        }

        var mpdStrings = mpd.Keys;
        var mpdIds = new int[mpdStrings.Length];
        for (var i = 0; i < mpdIds.Length; i++)
        {
            mpdIds[i] = i;
        }

        Parallel.Invoke(
            () => Array.Sort(entpStrings, entpIds, StringComparer.Ordinal),
            () => Array.Sort(mpdStrings, mpdIds, StringComparer.Ordinal));

        var msdToSong = new int[msd.Keys.Count];
        Array.Fill(msdToSong, -1);
        var mpdToSong = new int[mpdStrings.Length];
        var union = new List<string>(entpStrings.Length + mpdStrings.Length);
        var shared = 0;
        int a = 0, b = 0;
        while (a < entpStrings.Length || b < mpdStrings.Length)
        {
            var order = a == entpStrings.Length ? 1
                : b == mpdStrings.Length ? -1
                : string.CompareOrdinal(entpStrings[a], mpdStrings[b]);
            var song = union.Count;
            if (order <= 0)
            {
                union.Add(entpStrings[a]);
                msdToSong[entpIds[a++]] = song;
                if (order == 0)
                {
                    mpdToSong[mpdIds[b++]] = song;
                    shared++;
                }
            }
            else
            {
                union.Add(mpdStrings[b]);
                mpdToSong[mpdIds[b++]] = song;
            }
        }

        var userSongs = BuildUserRows(entp, msdToSong);
        var playlistSongs = BuildPlaylistRows(mpd, mpdToSong);
        var playlistsWithoutSongs = 0;
        for (var p = 0; p < playlistSongs.RowCount; p++)
        {
            if (playlistSongs.Length(p) == 0)
            {
                playlistsWithoutSongs++;
            }
        }

        var stats = new InputStats
        {
            MsdRecords = msd.Report.Records,
            MsdSongIds = msd.KeyBySongId.Count,
            MsdDuplicateSongIds = msd.Duplicates,
            MsdConflictingDuplicates = msd.Conflicting,
            MsdBlankTitleOrArtist = msd.Blank,
            EntpRows = entp.Rows,
            EntpRowsUnknownSongId = entp.Unknown,
            EntpRowsBlankTitleOrArtist = entp.Blank,
            EntpUsers = entp.DistinctUsers,
            EntpUsersWithoutKnownSongs = entp.DistinctUsers - entp.UserIds.Length,
            MpdSlices = paths.MpdSlices.Count,
            MpdPlaylists = mpd.Pids.Length,
            MpdTracks = mpd.Tracks,
            MpdTracksBlankTitleOrArtist = mpd.Blank,
            MpdPlaylistsWithoutSongs = playlistsWithoutSongs,
            EntpSongKeys = entpStrings.Length,
            MpdSongKeys = mpdStrings.Length,
            SharedSongKeys = shared,
            SongKeys = union.Count,
            SkippedMalformedRecords = msd.Report.Skipped + entp.Skipped + mpd.Skipped,
        };

        var errors = new List<string>();
        errors.AddRange(msd.Report.Errors.Select(e => e.ToString()));
        errors.AddRange(entp.Errors);
        errors.AddRange(mpd.Errors);

        return new LoadedInputs
        {
            UserIds = entp.UserIds,
            UserSongs = userSongs,
            PlaylistPids = mpd.Pids,
            PlaylistNames = mpd.Names,
            PlaylistSongs = playlistSongs,
            SongKeys = [.. union],
            Stats = stats,
            Inputs = [msdInput, entp.Input, .. mpd.Inputs],
            SkippedErrors = errors,
        };
    }

    // Counting sort of the (user, key) rows by user, keys mapped to song indexes, then sort + dedupe per user.
    private static SparseRows BuildUserRows(EntpResult entp, int[] msdToSong)
    {
        var users = entp.UserIds.Length;
        var offsets = new int[users + 1];
        foreach (var user in entp.RowUsers)
        {
            offsets[user + 1]++;
        }

        for (var u = 0; u < users; u++)
        {
            offsets[u + 1] += offsets[u];
        }

        var cursor = offsets.AsSpan(0, users).ToArray();
        var values = new int[entp.RowUsers.Length];
        for (var i = 0; i < entp.RowUsers.Length; i++)
        {
            values[cursor[entp.RowUsers[i]]++] = msdToSong[entp.RowKeys[i]];
        }

        return SortAndDeduplicate(offsets, values);
    }

    private static SparseRows BuildPlaylistRows(MpdResult mpd, int[] mpdToSong)
    {
        var values = mpd.Songs;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = mpdToSong[values[i]];
        }

        return SortAndDeduplicate(mpd.Offsets, values);
    }

    private static SparseRows SortAndDeduplicate(int[] offsets, int[] values)
    {
        var rows = offsets.Length - 1;
        Parallel.For(0, (rows + 4095) / 4096, chunk =>
        {
            var end = Math.Min(rows, (chunk + 1) * 4096);
            for (var r = chunk * 4096; r < end; r++)
            {
                values.AsSpan(offsets[r], offsets[r + 1] - offsets[r]).Sort();
            }
        });

        var compactOffsets = new int[rows + 1];
        var n = 0;
        for (var r = 0; r < rows; r++)
        {
            var previous = -1;
            for (var i = offsets[r]; i < offsets[r + 1]; i++)
            {
                if (values[i] != previous)
                {
                    previous = values[i];
                    values[n++] = previous;
                }
            }

            compactOffsets[r + 1] = n;
        }

        Array.Resize(ref values, n);
        return new SparseRows(compactOffsets, values);
    }

    private sealed record MsdResult(
        List<string> Keys,
        Dictionary<string, int> KeyBySongId,
        ReadReport Report,
        long Blank,
        long Duplicates,
        long Conflicting);

    private sealed record EntpResult(
        string[] UserIds,
        int[] RowUsers,
        int[] RowKeys,
        bool[] KeyUsed,
        long Records,
        long Skipped,
        IReadOnlyList<string> Errors,
        long Rows,
        long Unknown,
        long Blank,
        int DistinctUsers,
        DatasetInput Input);

    private sealed record EntpChunk(
        List<(string User, int FirstKey)> Runs,
        int[] Keys,
        ReadReport Report,
        long Rows,
        long Unknown,
        long Blank,
        long Newlines,
        DataFormatException? Failure);

    private sealed record SliceResult(
        int[] Pids,
        string[] Names,
        Utf8KeyTable Keys,
        int[] Offsets,
        int[] Songs,
        long Tracks,
        long Blank,
        ReadReport Report,
        DatasetInput Input);

    private sealed record MpdResult(
        int[] Pids,
        string[] Names,
        string[] Keys,
        int[] Offsets,
        int[] Songs,
        long Tracks,
        long Blank,
        long Skipped,
        IReadOnlyList<string> Errors,
        IReadOnlyList<DatasetInput> Inputs);

    /// <summary>Appends slices in order: slice-local key ids become global MPD key ids.</summary>
    private sealed class MpdMerge(int sliceCount)
    {
        private readonly Utf8KeyTable _keys = new(1 << 16);
        private readonly List<int> _pids = [];
        private readonly List<string> _names = [];
        private readonly List<DatasetInput> _inputs = new(sliceCount);
        private readonly List<string> _errors = [];
        private IntBuffer _offsets = new(1 << 12);
        private IntBuffer _songs = new(1 << 16);
        private long _tracks;
        private long _blank;
        private long _skipped;

        public void Append(SliceResult slice)
        {
            if (_offsets.Count == 0)
            {
                _offsets.Add(0);
            }

            var keys = slice.Keys;
            var map = new int[keys.Count];
            for (var i = 0; i < map.Length; i++)
            {
                map[i] = _keys.GetOrAdd(keys[i], keys.HashOf(i));
            }

            var baseOffset = _songs.Count;
            _songs.AddMapped(slice.Songs, map);

            for (var p = 1; p < slice.Offsets.Length; p++)
            {
                _offsets.Add(checked(baseOffset + slice.Offsets[p]));
            }

            _pids.AddRange(slice.Pids);
            _names.AddRange(slice.Names);
            _tracks += slice.Tracks;
            _blank += slice.Blank;
            _skipped += slice.Report.Skipped;
            _errors.AddRange(slice.Report.Errors.Select(e => e.ToString()));
            _inputs.Add(slice.Input);
        }

        public MpdResult Finish()
        {
            if (_offsets.Count == 0)
            {
                _offsets.Add(0);
            }

            return new MpdResult(
                [.. _pids], [.. _names], _keys.ToStrings(), _offsets.Detach(), _songs.Detach(), _tracks, _blank, _skipped, _errors, _inputs);
        }
    }

    /// <summary>Input bytes consumed, reported as the "read inputs" phase (throttled to every 16 MiB).</summary>
    private sealed class ByteProgress(IProgress<PreparePhaseProgress>? progress, long total)
    {
        private const long ReportEvery = 16L << 20;
        private long _done;
        private long _nextReport;

        public void Add(long bytes)
        {
            var done = Interlocked.Add(ref _done, bytes);
            var next = Interlocked.Read(ref _nextReport);
            if (progress is not null && done >= next && Interlocked.CompareExchange(ref _nextReport, done + ReportEvery, next) == next)
            {
                progress.Report(new PreparePhaseProgress(Phase, Math.Min(done, total), total));
            }
        }

        public void Complete() => progress?.Report(new PreparePhaseProgress(Phase, total, total));
    }
}
