using SpotifyBuddies.Core.Randomness;

namespace SpotifyBuddies.Data.Synthetic;

/// <summary>
/// Made-up but plausible names for genres, artists, songs, albums and playlists. Some titles carry
/// commas, double quotes, apostrophes, ampersands, accented letters or emoji on purpose, so that CSV
/// quoting, JSON escaping and UTF-8 handling are exercised. The accented letters used all survive
/// <c>ToUpperInvariant</c> then <c>ToLowerInvariant</c>, so case variants keep the same song key.
/// </summary>
internal static class NameFactory
{
    private static readonly string[] GenreNames =
    [
        "pop", "rock", "hip hop", "country", "indie", "edm", "r&b", "jazz", "classical", "metal",
        "folk", "punk", "reggae", "latin", "blues", "soul", "funk", "disco", "house", "techno",
        "trance", "dubstep", "k-pop", "j-pop", "gospel", "ambient", "lo-fi", "emo", "grunge", "ska",
        "bluegrass", "soundtrack", "afrobeat", "bossa nova", "salsa", "reggaeton", "trap", "drill", "grime", "synthwave",
        "shoegaze", "post-rock", "math rock", "dream pop", "new wave", "garage", "psychedelic", "swing", "bebop", "opera",
        "chiptune", "drum and bass", "hardstyle", "flamenco", "tango", "cumbia", "fado", "zydeco", "polka", "city pop",
        "britpop", "krautrock", "highlife", "enka",
    ];

    private static readonly string[] Nouns =
    [
        "Love", "Night", "Fire", "Heart", "Dream", "Summer", "Rain", "Light", "Gold", "City",
        "River", "Star", "Dance", "Ghost", "Shadow", "Home", "Road", "Sky", "Ocean", "Midnight",
        "Sugar", "Paper", "Stone", "Velvet", "Neon", "Crystal", "Honey", "Thunder", "Echo", "Desert",
        "Highway", "Island", "Moon", "Sun", "Storm", "Winter", "Spring", "Autumn", "Radio", "Kingdom",
        "Empire", "Garden", "Mirror", "Angel", "Devil", "Paradise", "Heaven", "Fever", "Magic", "Secret",
        "Wonder", "Coffee", "Cherry", "Diamond", "Harbor", "Lantern", "Meadow", "Orbit", "Pilot", "Rebel",
        "Saint", "Tiger", "Wolf", "Raven", "Horizon", "Avenue", "Boulevard", "Canyon", "Delta", "Ember",
        "Frost", "Glory", "Halo", "Ivory", "Jungle", "Karma", "Lullaby", "Marble", "Nomad", "Oasis",
        "Phantom", "Satellite", "Runaway", "Window", "Letter", "Mountain", "Valley", "Train", "Station", "Morning",
        "Evening", "Weekend", "Party", "Memory", "Promise", "Story", "Song", "Melody", "Rhythm", "Signal",
        "Café", "Mañana", "Corazón", "Fiancée", "Noël", "Señorita", "Über", "Rosé", "Piñata", "Smörgås",
    ];

    private static readonly string[] Adjectives =
    [
        "Blue", "Wild", "Electric", "Silver", "Broken", "Young", "Lonely", "Sweet", "Cold", "Golden",
        "Lost", "Free", "Silent", "Burning", "Falling", "Rising", "Dancing", "Drifting", "Hollow", "Bright",
        "Dark", "Little", "Big", "Crazy", "Happy", "Better", "Higher", "Faded", "Sleepless", "Quiet",
        "Endless", "Secret", "Restless", "Tender", "Savage", "Lucky", "Heavy", "Gentle", "Distant", "Perfect",
    ];

    private static readonly string[] Verbs =
    [
        "Stop", "Leave", "Forget", "Wake", "Call", "Hold", "Break", "Save", "Touch", "Chase",
        "Miss", "Tell", "Need", "Want", "Love", "Fight", "Run", "Move", "Shake", "Trust",
    ];

    private static readonly string[] Syllables =
    [
        "ka", "lo", "mi", "ra", "ne", "so", "vi", "tu", "ze", "ba", "do", "fi", "ga", "ho", "ju", "ke",
        "la", "mo", "nu", "pe", "ri", "sa", "te", "va", "wi", "yo", "zo", "an", "el", "is", "or", "um",
        "mar", "len", "tor", "bel", "cas", "dan", "fen", "gil", "har", "jon", "kel", "lin", "mer", "nor",
    ];

    private static readonly string[] Moods =
    [
        "chill", "workout", "party", "sleep", "study", "road trip", "throwbacks", "feels", "sad", "happy",
        "summer", "rainy day", "morning", "late night", "gym", "focus", "vibes", "oldies", "new", "favorites",
    ];

    private static readonly string[] Emoji = ["🔥", "🎶", "☀️", "💜", "🌙", "🚗"];

    /// <summary>A genre name; past the built-in list, names repeat with a number (<c>"rock 2"</c>).</summary>
    public static string GenreName(int genre) =>
        genre < GenreNames.Length
            ? GenreNames[genre]
            : $"{GenreNames[genre % GenreNames.Length]} {(genre / GenreNames.Length) + 1}";

    public static string ArtistName(DeterministicRandom random)
    {
        var roll = random.NextDouble();
        return roll switch
        {
            < 0.30 => $"{Word(random)} {Word(random)}",
            < 0.50 => $"The {Plural(Pick(random, Nouns))}",
            < 0.62 => $"The {Pick(random, Adjectives)} {Plural(Pick(random, Nouns))}",
            < 0.70 => $"DJ {Word(random)}",
            < 0.78 => $"{Word(random)} & The {Plural(Pick(random, Nouns))}",
            < 0.81 => $"{Pick(random, Nouns)}, {Pick(random, Nouns)} & {Pick(random, Nouns)}",
            < 0.90 => $"{Pick(random, Adjectives)} {Pick(random, Nouns)}",
            _ => Word(random),
        };
    }

    public static string SongTitle(DeterministicRandom random)
    {
        var roll = random.NextDouble();
        return roll switch
        {
            < 0.18 => Pick(random, Nouns),
            < 0.38 => $"{Pick(random, Adjectives)} {Pick(random, Nouns)}",
            < 0.50 => $"{Pick(random, Nouns)} of the {Pick(random, Nouns)}",
            < 0.58 => $"Don't {Pick(random, Verbs)} My {Pick(random, Nouns)}",
            < 0.63 => $"{Pick(random, Nouns)}, {Pick(random, Nouns)}",
            < 0.67 => $"The \"{Pick(random, Adjectives)}\" {Pick(random, Nouns)}",
            < 0.72 => $"{Pick(random, Nouns)} (feat. {Word(random)})",
            < 0.76 => $"{Pick(random, Adjectives)} {Pick(random, Nouns)} - Live",
            < 0.80 => $"{Pick(random, Nouns)} (Remix)",
            < 0.83 => $"Rock 'n' Roll {Pick(random, Nouns)}",
            < 0.92 => $"{Pick(random, Verbs)} the {Pick(random, Adjectives)} {Pick(random, Nouns)}",
            _ => $"{Word(random)} {Pick(random, Nouns)}",
        };
    }

    public static string AlbumName(DeterministicRandom random)
    {
        var roll = random.NextDouble();
        return roll switch
        {
            < 0.35 => $"{Pick(random, Adjectives)} {Plural(Pick(random, Nouns))}",
            < 0.55 => Pick(random, Nouns),
            < 0.70 => $"{Pick(random, Nouns)}, Vol. {random.NextInt(1, 4)}",
            < 0.85 => $"{Word(random)} (Deluxe Edition)",
            _ => $"Songs from the {Pick(random, Nouns)}",
        };
    }

    public static string PlaylistName(DeterministicRandom random, string genreName)
    {
        var roll = random.NextDouble();
        return roll switch
        {
            < 0.25 => genreName,
            < 0.45 => Pick(random, Moods),
            < 0.65 => $"{Pick(random, Moods)} {genreName}",
            < 0.75 => $"{Capitalise(genreName)} {2010 + random.NextInt(8)}",
            < 0.85 => $"{Pick(random, Nouns).ToLowerInvariant()} vibes",
            < 0.92 => $"{Pick(random, Moods)} {Pick(random, Emoji)}",
            _ => $"{Capitalise(Pick(random, Moods))}!!",
        };
    }

    public static string PlaylistDescription(DeterministicRandom random, string genreName) =>
        random.NextBool(0.5)
            ? $"the best of {genreName}, updated weekly"
            : $"songs for {Pick(random, Moods)} & {Pick(random, Moods)}";

    /// <summary>
    /// Another spelling of a (title, artist) pair that normalises to the same song key: case changes and
    /// extra surrounding spaces, as the two real datasets disagree.
    /// </summary>
    public static (string Title, string Artist) Respell(DeterministicRandom random, string title, string artist) =>
        random.NextInt(6) switch
        {
            0 => (title.ToUpperInvariant(), artist),
            1 => (title.ToLowerInvariant(), artist),
            2 => ($" {title}  ", artist),
            3 => (title, artist.ToLowerInvariant()),
            4 => (title, artist.ToUpperInvariant() + "  "),
            _ => (title + " ", artist.ToLowerInvariant()),
        };

    private static string Word(DeterministicRandom random)
    {
        var count = random.NextInt(2, 4);
        Span<char> buffer = stackalloc char[16];
        var length = 0;
        for (var i = 0; i < count; i++)
        {
            var syllable = Pick(random, Syllables);
            syllable.AsSpan().CopyTo(buffer[length..]);
            length += syllable.Length;
        }

        buffer[0] = char.ToUpperInvariant(buffer[0]);
        return new string(buffer[..length]);
    }

    private static string Plural(string noun) =>
        noun.EndsWith('y') && !noun.EndsWith("ay", StringComparison.Ordinal) && !noun.EndsWith("ey", StringComparison.Ordinal)
            ? string.Concat(noun.AsSpan(0, noun.Length - 1), "ies")
            : noun.EndsWith('s') ? noun + "es" : noun + "s";

    private static string Capitalise(string text) =>
        text.Length == 0 ? text : string.Concat(text[..1].ToUpperInvariant(), text.AsSpan(1));

    private static string Pick(DeterministicRandom random, string[] items) => items[random.NextInt(items.Length)];
}
