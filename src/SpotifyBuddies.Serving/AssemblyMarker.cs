namespace SpotifyBuddies.Serving;

/// <summary>Anchors this assembly for architecture tests until its first capability lands.</summary>
public static class AssemblyMarker;
