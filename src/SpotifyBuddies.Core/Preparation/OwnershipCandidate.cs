using SpotifyBuddies.Core.Interactions;

namespace SpotifyBuddies.Core.Preparation;

/// <summary>A liked (user, playlist) pair that may make the user the playlist's owner.</summary>
public readonly record struct OwnershipCandidate(UserIdx User, PlaylistIdx Playlist, double Priority);
