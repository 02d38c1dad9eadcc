using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SpotifyBuddies.IntegrationTests.Cli;

/// <summary>
/// Profiles as a user meets them: embedded Local defaults under the working directory, <c>BUDDIES_*</c> variables
/// below command-line options, and a Production profile that fails at start, naming the setting, when it is
/// incomplete or its server cannot be reached.
/// </summary>
public sealed class ProfileTests : IDisposable
{
    private const string NoStackTrace = "   at ";

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Production_WithoutAnMlflowUrl_FailsNamingTheSettingAndItsVariable()
    {
        var result = await RunAsync(new() { ["BUDDIES_PROFILE"] = "Production" }, "runs", "list");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Production profile: Mlflow:TrackingUri is required (set BUDDIES_MLFLOW__TRACKINGURI", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(NoStackTrace, result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Production_ForTraining_ListsEveryMissingSetting()
    {
        await PrepareTinyDatasetAsync();

        var result = await RunAsync([], "train", _dir.Sub("dataset"), "--out", _dir.Sub("model"), "--profile", "production");

        Assert.Equal(1, result.ExitCode);
        foreach (var variable in new[] { "BUDDIES_MLFLOW__TRACKINGURI", "BUDDIES_ARTIFACTS__MINIO__ENDPOINT", "BUDDIES_ARTIFACTS__MINIO__ACCESSKEY", "BUDDIES_ARTIFACTS__MINIO__SECRETKEY" })
        {
            Assert.Contains(variable, result.Stderr, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("BUCKET", result.Stderr, StringComparison.Ordinal); // has an embedded default
        Assert.False(Directory.Exists(_dir.Sub("model")));
    }

    [Fact]
    public async Task Production_WithAnInvalidSetting_QuotesTheValue()
    {
        var result = await RunAsync(new() { ["BUDDIES_MLFLOW__TRACKINGURI"] = "ftp://mlflow" }, "models", "list", "--profile", "production");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Mlflow:TrackingUri must be an absolute http:// or https:// URL, not 'ftp://mlflow'", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_WithMlflowOnAClosedPort_FailsWithAConnectionMessage()
    {
        var url = $"http://127.0.0.1:{ClosedPort()}";
        var env = new Dictionary<string, string?> { ["BUDDIES_MLFLOW__TRACKINGURI"] = url, ["BUDDIES_MLFLOW__MAXRETRIES"] = "0" };

        string[][] commands = [["runs", "list"], ["runs", "show", "abc"], ["models", "list"], ["models", "alias", "bpr", "champion"]];
        foreach (var args in commands)
        {
            var result = await RunAsync(env, [.. args, "--profile", "production"]);

            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Contains($"Could not reach MLflow at {url}/", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("BUDDIES_MLFLOW__TRACKINGURI", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain(NoStackTrace, result.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Production_TrainingWithMlflowOnAClosedPort_FailsBeforeTraining()
    {
        await PrepareTinyDatasetAsync();
        var url = $"http://127.0.0.1:{ClosedPort()}";
        var env = new Dictionary<string, string?>
        {
            ["BUDDIES_PROFILE"] = "production",
            ["BUDDIES_MLFLOW__TRACKINGURI"] = url,
            ["BUDDIES_ARTIFACTS__MINIO__ENDPOINT"] = $"127.0.0.1:{ClosedPort()}",
            ["BUDDIES_ARTIFACTS__MINIO__ACCESSKEY"] = "access",
            ["BUDDIES_ARTIFACTS__MINIO__SECRETKEY"] = "secret-key",
        };

        var result = await RunAsync(env, "train", _dir.Sub("dataset"), "--out", _dir.Sub("model"), "--backend", "native");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"Could not reach MLflow at {url}/", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("epoch", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(NoStackTrace, result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.Sub("model")));
    }

    [Fact]
    public async Task Production_WithLocalDirectoryOptions_IsRefused()
    {
        var result = await RunAsync(new() { ["BUDDIES_MLFLOW__TRACKINGURI"] = "http://mlflow" }, "runs", "list", "--profile", "production", "--tracking", _dir.Sub("t"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--artifacts and --tracking choose local directories", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownProfile_IsRefusedNamingTheVariable()
    {
        var result = await RunAsync(new() { ["BUDDIES_PROFILE"] = "staging" }, "models", "list");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Profile must be Local or Production, not 'staging'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("BUDDIES_PROFILE", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Local_ByDefault_KeepsArtifactsAndRunsUnderDotBuddiesInTheWorkingDirectory()
    {
        await PrepareTinyDatasetAsync();

        var train = await RunAsync([], "train", _dir.Sub("dataset"), "--out", _dir.Sub("model"), "--epochs", "1", "--backend", "native", "--json");

        Assert.True(train.ExitCode == 0, train.ToString());
        var runId = train.Json().GetProperty("run_id").GetString()!;
        Assert.True(Directory.Exists(_dir.Sub(".buddies", "tracking", "runs", runId)));
        Assert.True(Directory.Exists(_dir.Sub(".buddies", "artifacts", "checkpoints")));
        Assert.True(Directory.Exists(_dir.Sub(".buddies", "artifacts", "runs", runId, "artifacts", "model")));

        var list = await RunAsync([], "runs", "list", "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal(runId, Assert.Single(list.Json().GetProperty("runs").EnumerateArray()).GetProperty("run_id").GetString());
    }

    [Fact]
    public async Task Local_EnvironmentVariablesSetTheDirectoriesAndExperiment_OptionsWinOverThem()
    {
        await PrepareTinyDatasetAsync();
        var env = new Dictionary<string, string?>
        {
            ["BUDDIES_TRACKING__LOCAL__ROOT"] = _dir.Sub("env-tracking"),
            ["BUDDIES_ARTIFACTS__LOCAL__ROOT"] = _dir.Sub("env-artifacts"),
            ["BUDDIES_TRACKING__EXPERIMENT"] = "from-env",
        };

        var train = await RunAsync(env, "train", _dir.Sub("dataset"), "--out", _dir.Sub("model"), "--epochs", "1", "--backend", "native", "--json");

        Assert.True(train.ExitCode == 0, train.ToString());
        var runId = train.Json().GetProperty("run_id").GetString()!;
        Assert.True(Directory.Exists(_dir.Sub("env-tracking", "runs", runId)));
        Assert.False(Directory.Exists(_dir.Sub(".buddies")));

        var fromEnv = await RunAsync(env, "runs", "list", "--json");
        Assert.True(fromEnv.ExitCode == 0, fromEnv.ToString());
        Assert.Equal("from-env", fromEnv.Json().GetProperty("experiment").GetProperty("name").GetString());

        var overridden = await RunAsync(env, "runs", "list", "--experiment", "spotify-buddies");
        Assert.Equal(1, overridden.ExitCode);
        Assert.Contains("no experiment 'spotify-buddies'", overridden.Stderr, StringComparison.Ordinal);

        var elsewhere = await RunAsync(env, "runs", "list", "--tracking", _dir.Sub("nowhere"));
        Assert.Equal(1, elsewhere.ExitCode);
        Assert.Contains(_dir.Sub("nowhere"), elsewhere.Stderr, StringComparison.Ordinal);
    }

    private async Task PrepareTinyDatasetAsync()
    {
        var synth = await BuddiesProcess.RunAsync("data", "synth", "--preset", "tiny", "--out", _dir.Sub("raw"));
        Assert.True(synth.ExitCode == 0, synth.ToString());
        var prepare = await BuddiesProcess.RunAsync("data", "prepare", _dir.Sub("raw"), "--out", _dir.Sub("dataset"));
        Assert.True(prepare.ExitCode == 0, prepare.ToString());
    }

    /// <summary>A loopback port nothing listens on (just released by a listener the OS gave it to).</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>
    /// Runs <c>buddies</c> in the test's directory with <paramref name="environment"/> as its only configuration
    /// variables: every inherited <c>BUDDIES_*</c> and <c>MLFLOW_*</c> variable is removed first.
    /// </summary>
    private async Task<CliResult> RunAsync(Dictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dir.Path,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "buddies.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("BUDDIES_", StringComparison.Ordinal) || k.StartsWith("MLFLOW_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
