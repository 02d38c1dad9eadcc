namespace SpotifyBuddies.Core.Interactions;

/// <summary>Dense index of a listener (ENTP user) inside one dataset. Not the ENTP user hash.</summary>
public readonly record struct UserIdx(int Value)
{
    public override string ToString() => $"u{Value}";
}

/// <summary>Dense index of a playlist inside one dataset. Not the MPD <c>pid</c>.</summary>
public readonly record struct PlaylistIdx(int Value)
{
    public override string ToString() => $"p{Value}";
}

/// <summary>Dense index of a song key inside one dataset.</summary>
public readonly record struct SongIdx(int Value)
{
    public override string ToString() => $"s{Value}";
}
