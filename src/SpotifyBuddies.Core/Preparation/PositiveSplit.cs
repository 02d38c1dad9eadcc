using SpotifyBuddies.Core.Interactions;

namespace SpotifyBuddies.Core.Preparation;

/// <summary>One user's positives split into train, validation and test.</summary>
/// <remarks>Each part made by <see cref="UserSplitter.SplitPositives"/> is sorted ascending.</remarks>
public sealed record PositiveSplit(PlaylistIdx[] Train, PlaylistIdx[] Validation, PlaylistIdx[] Test);
