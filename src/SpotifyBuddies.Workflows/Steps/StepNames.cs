namespace SpotifyBuddies.Workflows.Steps;

/// <summary>The names workflows use in <c>uses:</c> for the built-in steps.</summary>
public static class StepNames
{
    public const string DataSynth = "data.synth";
    public const string DataPrepare = "data.prepare";
    public const string PairingKnn = "pairing.knn";
    public const string TrainingBpr = "training.bpr";
    public const string ModelEvaluate = "model.evaluate";
    public const string ModelRegister = "model.register";
}
