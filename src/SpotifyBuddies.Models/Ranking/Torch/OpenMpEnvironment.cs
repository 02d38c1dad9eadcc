using System.Runtime.InteropServices;

namespace SpotifyBuddies.Models.Ranking.Torch;

/// <summary>
/// Sets <c>OMP_WAIT_POLICY=PASSIVE</c> in the native process environment before libtorch loads, unless the user set it.
/// libtorch's OpenMP workers otherwise spin while idle, which on a machine whose cores are shared costs up to 7× in
/// throughput (measured: 19k vs 139k triplets/s on a busy 2-core VM). .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// does not reach the C runtime's environment on Unix, so this calls libc's <c>setenv</c>.
/// </summary>
internal static partial class OpenMpEnvironment
{
    private static int _applied;

    public static void Apply()
    {
        if (Interlocked.Exchange(ref _applied, 1) == 1 || !OperatingSystem.IsLinux()
            || Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null)
        {
            return;
        }

        _ = SetEnv("OMP_WAIT_POLICY", "PASSIVE", 0);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
