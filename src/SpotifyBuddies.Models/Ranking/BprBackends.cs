using SpotifyBuddies.Models.Ranking.Native;
using SpotifyBuddies.Models.Ranking.Torch;

namespace SpotifyBuddies.Models.Ranking;

/// <summary>The training backends by name: <c>native</c> (fused C# CPU kernel), <c>torch</c> (TorchSharp; CUDA when
/// present) and <c>auto</c> (torch on CUDA, else native).</summary>
public static class BprBackends
{
    public const string Auto = "auto";
    public const string Native = "native";
    public const string Torch = "torch";

    public static IReadOnlyList<string> Names { get; } = [Auto, Native, Torch];

    /// <summary>The backend <paramref name="name"/> stands for on this machine (<c>auto</c> resolved).</summary>
    public static string Resolve(string name) => name switch
    {
        Auto => TorchBprTrainer.CudaAvailable() ? Torch : Native,
        Native or Torch => name,
        _ => throw new ArgumentException($"Unknown backend '{name}'; use one of {string.Join(", ", Names)}.", nameof(name)),
    };

    /// <summary>Creates a backend (<c>auto</c> is resolved first).</summary>
    public static IBprTrainer Create(string name, BprTrainerSettings settings) => Resolve(name) switch
    {
        Torch => new TorchBprTrainer(settings),
        _ => new NativeBprTrainer(settings),
    };
}
