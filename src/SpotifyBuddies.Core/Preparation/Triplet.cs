using SpotifyBuddies.Core.Interactions;

namespace SpotifyBuddies.Core.Preparation;

/// <summary>One BPR training example.</summary>
public readonly record struct Triplet(UserIdx User, PlaylistIdx Positive, PlaylistIdx Negative);
