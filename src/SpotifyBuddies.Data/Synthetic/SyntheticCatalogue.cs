using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Data.Synthetic;

/// <summary>Which dataset(s) a catalogue song appears in.</summary>
internal enum SongSide : byte
{
    /// <summary>In the ENTP/MSD universe and in the MPD universe (same song key on both sides).</summary>
    Both,

    /// <summary>Only in the ENTP/MSD universe.</summary>
    EntpOnly,

    /// <summary>Only in the MPD universe.</summary>
    MpdOnly,
}

/// <summary>
/// The latent world behind a synthetic dataset: genres (taste clusters), artists that belong to a genre,
/// albums that belong to an artist, and songs that belong to an artist. Songs are stored contiguously by
/// genre in popularity order (index − <see cref="GenreStart"/> = rank in genre, 0 = most popular).
/// Built sequentially from the seed; immutable afterwards, so workers share it.
/// </summary>
internal sealed class SyntheticCatalogue
{
    /// <summary>Zipf–Mandelbrot exponent of song popularity within a genre.</summary>
    public const double SongZipfExponent = 0.95;

    /// <summary>Zipf–Mandelbrot offset of song popularity within a genre (flattens the very top).</summary>
    public const double SongZipfOffset = 2.0;

    /// <summary>Zipf exponent of genre popularity.</summary>
    public const double GenreZipfExponent = 0.6;

    /// <summary>Share of the MPD spellings of shared songs that differ (case, spaces) from the MSD spelling.</summary>
    public const double RespellProbability = 0.15;

    /// <summary>Share of ENTP songs with a second MSD song id (a re-release), as in the real MSD.</summary>
    public const double AlternateIdProbability = 0.02;

    private SyntheticCatalogue(int songCount, int genreCount)
    {
        SongCount = songCount;
        GenreCount = genreCount;
        GenreNames = new string[genreCount];
        GenreWeights = new double[genreCount];
        GenreStart = new int[genreCount + 1];
        SongGenre = new int[songCount];
        SongArtist = new int[songCount];
        SongAlbum = new int[songCount];
        Side = new SongSide[songCount];
        Title = new string[songCount];
        MpdTitle = new string[songCount];
        MpdArtist = new string[songCount];
        TrackUri = new string[songCount];
        DurationMs = new int[songCount];
        Year = new int[songCount];
        SongId = new string?[songCount];
        TrackId = new string?[songCount];
        AlternateOf = new int[songCount];
    }

    public int SongCount { get; }

    public int GenreCount { get; }

    public string[] GenreNames { get; }

    /// <summary>Normalised genre popularity (users' and playlists' primary genres are drawn with it).</summary>
    public double[] GenreWeights { get; }

    /// <summary>Songs of genre g are <c>[GenreStart[g], GenreStart[g+1])</c>.</summary>
    public int[] GenreStart { get; }

    public AliasSampler GenrePicker { get; private set; } = null!;

    public string[] ArtistNames { get; private set; } = [];

    public string[] ArtistUris { get; private set; } = [];

    public int[] ArtistGenre { get; private set; } = [];

    public string[] AlbumNames { get; private set; } = [];

    public string[] AlbumUris { get; private set; } = [];

    public int[] SongGenre { get; }

    public int[] SongArtist { get; }

    public int[] SongAlbum { get; }

    public SongSide[] Side { get; }

    /// <summary>Canonical (MSD) title.</summary>
    public string[] Title { get; }

    /// <summary>Title as the MPD spells it (same reference as <see cref="Title"/> unless respelled).</summary>
    public string[] MpdTitle { get; }

    /// <summary>Artist as the MPD spells it on this song's tracks.</summary>
    public string[] MpdArtist { get; }

    public string[] TrackUri { get; }

    public int[] DurationMs { get; }

    /// <summary>Release year; 0 = unknown, as in the MSD.</summary>
    public int[] Year { get; }

    /// <summary>MSD song id of songs on the ENTP side; null for MPD-only songs.</summary>
    public string?[] SongId { get; }

    /// <summary>MSD track id of songs on the ENTP side; null for MPD-only songs.</summary>
    public string?[] TrackId { get; }

    /// <summary>Index into the alternate-id arrays, or −1 when the song has one MSD id only.</summary>
    public int[] AlternateOf { get; }

    public string[] AlternateSongIds { get; private set; } = [];

    public string[] AlternateTrackIds { get; private set; } = [];

    /// <summary>Per genre, the ENTP-side songs in rank order, and a popularity sampler over them.</summary>
    public SongPool[] EntpByGenre { get; private set; } = [];

    /// <summary>Per genre, the MPD-side songs in rank order, and a popularity sampler over them.</summary>
    public SongPool[] MpdByGenre { get; private set; } = [];

    /// <summary>Every ENTP-side song, popularity-weighted across genres (the noise component).</summary>
    public SongPool EntpGlobal { get; private set; } = null!;

    /// <summary>Every MPD-side song, popularity-weighted across genres.</summary>
    public SongPool MpdGlobal { get; private set; } = null!;

    public SyntheticIds Ids { get; private set; } = null!;

    public int SharedSongs { get; private set; }

    public int EntpOnlySongs { get; private set; }

    public int MpdOnlySongs { get; private set; }

    public int ArtistCount => ArtistNames.Length;

    public int AlbumCount => AlbumNames.Length;

    public int RankInGenre(int song) => song - GenreStart[SongGenre[song]];

    /// <summary>The song key of the canonical (MSD) spelling.</summary>
    public SongKey Key(int song) => SongKey.TryCreate(Title[song], ArtistNames[SongArtist[song]])!.Value;

    public static SyntheticCatalogue Build(SynthOptions options, DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        var genres = options.ResolveGenres();
        var catalogue = new SyntheticCatalogue(options.Songs, genres);
        catalogue.Ids = new SyntheticIds(random.Fork("ids"));
        catalogue.BuildGenres(random.Fork("genres"));
        catalogue.BuildArtistsAndSongs(random.Fork("songs"));
        catalogue.BuildAlbums(random.Fork("albums"));
        catalogue.BuildSidesAndIds(random.Fork("sides"));
        catalogue.BuildPools();
        return catalogue;
    }

    private void BuildGenres(DeterministicRandom random)
    {
        var weights = new double[GenreCount];
        var total = 0.0;
        for (var g = 0; g < GenreCount; g++)
        {
            weights[g] = ZipfSampler.Weight(g, GenreZipfExponent);
            total += weights[g];
        }

        // Popularity order is shuffled against the name list so "pop" is not always the biggest.
        var order = Enumerable.Range(0, GenreCount).ToArray();
        random.Shuffle(order.AsSpan());
        for (var g = 0; g < GenreCount; g++)
        {
            GenreWeights[g] = weights[g] / total;
            GenreNames[g] = NameFactory.GenreName(order[g]);
        }

        GenrePicker = new AliasSampler(GenreWeights);

        // Songs per genre ∝ √popularity (big genres have more songs, less extremely), at least 30 each.
        var sizeWeights = GenreWeights.Select(Math.Sqrt).ToArray();
        var sizeTotal = sizeWeights.Sum();
        var sizes = new int[GenreCount];
        var assigned = 0;
        for (var g = 0; g < GenreCount; g++)
        {
            sizes[g] = Math.Max(30, (int)(SongCount * sizeWeights[g] / sizeTotal));
            assigned += sizes[g];
        }

        // Hand out the rounding remainder (or take back the minimum's excess) from the biggest genres.
        for (var g = 0; assigned != SongCount; g = (g + 1) % GenreCount)
        {
            var step = assigned < SongCount ? 1 : -1;
            if (step > 0 || sizes[g] > 30)
            {
                sizes[g] += step;
                assigned += step;
            }
        }

        for (var g = 0; g < GenreCount; g++)
        {
            GenreStart[g + 1] = GenreStart[g] + sizes[g];
        }
    }

    private void BuildArtistsAndSongs(DeterministicRandom random)
    {
        var artistNames = new List<string>();
        var artistGenre = new List<int>();
        var usedArtistNames = new HashSet<string>(StringComparer.Ordinal);
        var usedKeys = new HashSet<string>(StringComparer.Ordinal);
        for (var g = 0; g < GenreCount; g++)
        {
            var start = GenreStart[g];
            var size = GenreStart[g + 1] - start;
            var artistCount = Math.Max(3, size / 8);
            var firstArtist = artistNames.Count;
            for (var a = 0; a < artistCount; a++)
            {
                artistNames.Add(UniqueArtistName(random, usedArtistNames));
                artistGenre.Add(g);
            }

            // Every artist gets at least one song, in random rank positions; the rest go to artists with a
            // Zipf law, so a few artists have many songs.
            var firstSongs = Enumerable.Range(0, artistCount).ToArray();
            random.Shuffle(firstSongs.AsSpan());
            var artistPicker = new ZipfSampler(artistCount, 0.8);
            var ranks = Enumerable.Range(0, size).ToArray();
            random.Shuffle(ranks.AsSpan());
            for (var i = 0; i < size; i++)
            {
                var song = start + ranks[i];
                SongGenre[song] = g;
                SongArtist[song] = firstArtist + (i < artistCount ? firstSongs[i] : artistPicker.Sample(random));
            }

            for (var song = start; song < start + size; song++)
            {
                Title[song] = UniqueTitle(random, artistNames[SongArtist[song]], usedKeys);
                DurationMs[song] = (int)Math.Clamp(random.NextLogNormal(Math.Log(215_000), 0.25), 30_000, 1_200_000);
                Year[song] = random.NextBool(0.2) ? 0 : Math.Max(1950, 2011 - (int)(random.NextExponential() * 10));
            }
        }

        ArtistNames = [.. artistNames];
        ArtistGenre = [.. artistGenre];
        ArtistUris = new string[ArtistNames.Length];
        for (var a = 0; a < ArtistUris.Length; a++)
        {
            ArtistUris[a] = Ids.SpotifyUri("artist", a);
        }

        for (var song = 0; song < SongCount; song++)
        {
            TrackUri[song] = Ids.SpotifyUri("track", song);
        }
    }

    private void BuildAlbums(DeterministicRandom random)
    {
        var songsByArtist = new List<int>[ArtistNames.Length];
        for (var song = 0; song < SongCount; song++)
        {
            (songsByArtist[SongArtist[song]] ??= []).Add(song);
        }

        var albumNames = new List<string>();
        for (var a = 0; a < songsByArtist.Length; a++)
        {
            var songs = songsByArtist[a];
            if (songs is null)
            {
                continue;
            }

            var perAlbum = random.NextInt(6, 15);
            var albums = Math.Max(1, (songs.Count + perAlbum - 1) / perAlbum);
            var firstAlbum = albumNames.Count;
            for (var i = 0; i < albums; i++)
            {
                albumNames.Add(NameFactory.AlbumName(random));
            }

            foreach (var song in songs)
            {
                SongAlbum[song] = firstAlbum + random.NextInt(albums);
            }
        }

        AlbumNames = [.. albumNames];
        AlbumUris = new string[AlbumNames.Length];
        for (var i = 0; i < AlbumUris.Length; i++)
        {
            AlbumUris[i] = Ids.SpotifyUri("album", i);
        }
    }

    private void BuildSidesAndIds(DeterministicRandom random)
    {
        var alternates = new List<int>();
        long msdIndex = 0;
        for (var song = 0; song < SongCount; song++)
        {
            var genre = SongGenre[song];
            var size = GenreStart[genre + 1] - GenreStart[genre];

            // Popular songs are more often in both datasets, as in reality.
            var pShared = RankInGenre(song) < size / 5 ? 0.6 : 0.33;
            var side = random.NextBool(pShared) ? SongSide.Both : random.NextBool(0.5) ? SongSide.EntpOnly : SongSide.MpdOnly;
            Side[song] = side;
            var artist = ArtistNames[SongArtist[song]];
            MpdTitle[song] = Title[song];
            MpdArtist[song] = artist;
            switch (side)
            {
                case SongSide.Both:
                    SharedSongs++;
                    if (random.NextBool(RespellProbability))
                    {
                        (MpdTitle[song], MpdArtist[song]) = NameFactory.Respell(random, Title[song], artist);
                    }

                    break;
                case SongSide.EntpOnly:
                    EntpOnlySongs++;
                    break;
                default:
                    MpdOnlySongs++;
                    break;
            }

            AlternateOf[song] = -1;
            if (side != SongSide.MpdOnly)
            {
                SongId[song] = Ids.Song(msdIndex);
                TrackId[song] = Ids.Track(msdIndex);
                msdIndex++;
                if (random.NextBool(AlternateIdProbability))
                {
                    AlternateOf[song] = alternates.Count;
                    alternates.Add(song);
                }
            }
        }

        // Alternate ids continue the same index sequence, so they can never collide with a primary id.
        AlternateSongIds = new string[alternates.Count];
        AlternateTrackIds = new string[alternates.Count];
        for (var i = 0; i < alternates.Count; i++)
        {
            AlternateSongIds[i] = Ids.Song(msdIndex + i);
            AlternateTrackIds[i] = Ids.Track(msdIndex + i);
        }
    }

    private void BuildPools()
    {
        EntpByGenre = new SongPool[GenreCount];
        MpdByGenre = new SongPool[GenreCount];
        var entpAll = new List<int>();
        var entpAllWeights = new List<double>();
        var mpdAll = new List<int>();
        var mpdAllWeights = new List<double>();
        for (var g = 0; g < GenreCount; g++)
        {
            var start = GenreStart[g];
            var end = GenreStart[g + 1];
            var genreTotal = 0.0;
            for (var song = start; song < end; song++)
            {
                genreTotal += SongWeight(song);
            }

            var entp = new List<int>();
            var mpd = new List<int>();
            for (var song = start; song < end; song++)
            {
                var weight = SongWeight(song);
                var global = GenreWeights[g] * weight / genreTotal;
                if (Side[song] != SongSide.MpdOnly)
                {
                    entp.Add(song);
                    entpAll.Add(song);
                    entpAllWeights.Add(global);
                }

                if (Side[song] != SongSide.EntpOnly)
                {
                    mpd.Add(song);
                    mpdAll.Add(song);
                    mpdAllWeights.Add(global);
                }
            }

            EntpByGenre[g] = SongPool.Create([.. entp], SongWeight);
            MpdByGenre[g] = SongPool.Create([.. mpd], SongWeight);
        }

        EntpGlobal = SongPool.Create([.. entpAll], [.. entpAllWeights]);
        MpdGlobal = SongPool.Create([.. mpdAll], [.. mpdAllWeights]);
    }

    private double SongWeight(int song) => ZipfSampler.Weight(RankInGenre(song), SongZipfExponent, SongZipfOffset);

    private static string UniqueArtistName(DeterministicRandom random, HashSet<string> used)
    {
        for (var attempt = 0; ; attempt++)
        {
            var name = NameFactory.ArtistName(random);
            if (attempt >= 8)
            {
                name = $"{name} {attempt - 6}";
            }

            if (used.Add(name.ToLowerInvariant()))
            {
                return name;
            }
        }
    }

    private static string UniqueTitle(DeterministicRandom random, string artist, HashSet<string> usedKeys)
    {
        for (var attempt = 0; ; attempt++)
        {
            var title = NameFactory.SongTitle(random);
            if (attempt >= 8)
            {
                title = $"{title}, Pt. {attempt - 6}";
            }

            if (usedKeys.Add(SongKey.TryCreate(title, artist)!.Value.Value))
            {
                return title;
            }
        }
    }
}

/// <summary>Songs available on one side (and genre), with a popularity sampler over them.</summary>
internal sealed class SongPool
{
    private SongPool(int[] songs, AliasSampler? sampler)
    {
        Songs = songs;
        Sampler = sampler;
    }

    public int[] Songs { get; }

    /// <summary>Null when the pool is empty.</summary>
    public AliasSampler? Sampler { get; }

    public int Count => Songs.Length;

    public static SongPool Create(int[] songs, Func<int, double> weightOf) =>
        Create(songs, songs.Select(weightOf).ToArray());

    public static SongPool Create(int[] songs, double[] weights) =>
        new(songs, songs.Length == 0 ? null : new AliasSampler(weights));

    /// <summary>A popularity-weighted draw; the pool must not be empty.</summary>
    public int Sample(DeterministicRandom random) => Songs[Sampler!.Sample(random)];
}
