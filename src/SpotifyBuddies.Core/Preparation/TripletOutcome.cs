namespace SpotifyBuddies.Core.Preparation;

/// <summary>What happened to a user's triplets.</summary>
public enum TripletOutcome
{
    /// <summary>Triplets were appended: NegativesPerPositive per train positive.</summary>
    Sampled,

    /// <summary>The user has no train positives; nothing appended.</summary>
    NoTrainPositives,

    /// <summary>Both negative pools are empty; nothing appended.</summary>
    NoNegativePool,

    /// <summary>hard + easy is smaller than NegativesPerPositive; nothing appended.</summary>
    PoolTooSmall,
}
