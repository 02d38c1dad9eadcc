using SpotifyBuddies.Core.Interactions;

namespace SpotifyBuddies.Core.Preparation;

/// <summary>A playlist that shares songs with a user: m = <see cref="Matches"/>, and its like score.</summary>
public readonly record struct ScoredPlaylist(PlaylistIdx Playlist, int Matches, double Score);
