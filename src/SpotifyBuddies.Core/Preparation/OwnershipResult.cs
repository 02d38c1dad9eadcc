namespace SpotifyBuddies.Core.Preparation;

/// <summary>Owner of each playlist (-1 when none) and the counts the report needs.</summary>
/// <param name="OwnerByPlaylist">Indexed by playlist index; the owner's user index, or -1.</param>
/// <param name="Owners">Distinct users that own at least one playlist.</param>
/// <param name="UnownedWithCandidates">Playlists left unowned because every candidate was at the cap.</param>
/// <param name="WithoutCandidates">Playlists that had no candidate at all.</param>
public sealed record OwnershipResult(int[] OwnerByPlaylist, int Owners, int UnownedWithCandidates, int WithoutCandidates);
