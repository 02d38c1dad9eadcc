using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace SpotifyBuddies.Models.Tests.Approximate;

/// <summary>
/// Runs tests/SpotifyBuddies.AnnProbe (copied next to the tests by the project reference) as a separate
/// process that opens an ANN index file, and reads what it prints.
/// </summary>
internal sealed class ProbeProcess : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private ProbeProcess(Process process)
    {
        _process = process;
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public static ProbeProcess Start(string index, string barrier, int k, IEnumerable<int> users)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SpotifyBuddies.AnnProbe.dll"));
        start.ArgumentList.Add(index);
        start.ArgumentList.Add(barrier);
        start.ArgumentList.Add(k.ToString(CultureInfo.InvariantCulture));
        foreach (var user in users)
        {
            start.ArgumentList.Add(user.ToString(CultureInfo.InvariantCulture));
        }

        return new ProbeProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start the probe"));
    }

    /// <summary>Waits for the next line and checks it.</summary>
    public void WaitForLine(string expected)
    {
        var line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(Timeout))
        {
            throw new TimeoutException($"the probe printed nothing for {Timeout}; stderr: {Stderr()}");
        }

        Assert.True(line.Result == expected, $"probe said '{line.Result}', expected '{expected}'; stderr: {Stderr()}");
    }

    /// <summary>The rest of the output, once the probe has exited with code 0.</summary>
    public IReadOnlyList<string> ReadToEnd()
    {
        var rest = _process.StandardOutput.ReadToEndAsync();
        if (!_process.WaitForExit(Timeout) || !rest.Wait(Timeout))
        {
            throw new TimeoutException($"the probe did not finish within {Timeout}");
        }

        Assert.True(_process.ExitCode == 0, $"probe exit code {_process.ExitCode}; stderr: {Stderr()}");
        return rest.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private string Stderr() => _stderr.Wait(TimeSpan.FromSeconds(5)) ? _stderr.Result : "(unavailable)";

    /// <summary>The dotnet host running this process: DOTNET_HOST_PATH when set, else the one beside the shared runtime.</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        var runtime = RuntimeEnvironment.GetRuntimeDirectory(); // <root>/shared/Microsoft.NETCore.App/<version>/
        var root = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        var candidate = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(candidate) ? candidate : "dotnet";
    }
}
