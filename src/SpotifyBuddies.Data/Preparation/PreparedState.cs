using SpotifyBuddies.Core.Interactions;
using SpotifyBuddies.Core.Preparation;

namespace SpotifyBuddies.Data.Preparation;

/// <summary>
/// The dataset after sampling and re-indexing: dense user and playlist indexes (kept ones, in their original
/// order), each user's likes, split and owned playlists. Indexes here are the output indexes unless named
/// "source".
/// </summary>
internal sealed class PreparedState
{
    public required int UserCount { get; init; }

    public required int PlaylistCount { get; init; }

    /// <summary>user_idx → index among all indexed ENTP users.</summary>
    public required int[] UserSource { get; init; }

    /// <summary>playlist_idx → running MPD playlist counter.</summary>
    public required int[] PlaylistSource { get; init; }

    /// <summary>source song index → song_idx, or -1 when the song is in no kept library or playlist.</summary>
    public required int[] SongMap { get; init; }

    /// <summary>song_idx → source song index.</summary>
    public required int[] SongSource { get; init; }

    /// <summary>Liked playlists per user, in the like order (output playlist indexes).</summary>
    public required ScoredPlaylist[][] Liked { get; init; }

    public required double[] Exploration { get; init; }

    /// <summary>s: library size per user.</summary>
    public required int[] UserSongCount { get; init; }

    /// <summary>playlist_idx → source songs (ascending).</summary>
    public required SparseRows PlaylistSongs { get; init; }

    public bool[] IsCold { get; set; } = [];

    public UserIdx[] ColdUsers { get; set; } = [];

    /// <summary>Per user; null for cold users.</summary>
    public PositiveSplit?[] Splits { get; set; } = [];

    public OwnershipResult? Ownership { get; set; }

    /// <summary>user → owned playlists (ascending).</summary>
    public SparseRows? Owned { get; set; }
}
