using SpotifyBuddies.Core.Interactions;

namespace SpotifyBuddies.Core.Preparation;

/// <summary>One evaluation row: a held-out positive and negatives the user never interacted with.</summary>
public sealed record EvaluationBatch(UserIdx User, PlaylistIdx Positive, PlaylistIdx[] Negatives);
