using System.Diagnostics;

namespace SpotifyBuddies.IntegrationTests.Cli;

/// <summary><c>buddies train</c> as a process: bad input, and kill -9 mid-training then <c>--resume</c>.</summary>
public sealed class TrainCommandTests
{
    private static readonly string[] Settings =
        ["--backend", "native", "--threads", "1", "--dim", "32", "--batch-size", "4096", "--patience", "50", "--lr", "0.01"];

    [Fact]
    public async Task Train_WhenTheDatasetIsMissing_ExitsWithAClearMessage()
    {
        using var dir = new TempDir();
        var result = await BuddiesProcess.RunAsync("train", dir.Sub("nothing"), "--out", dir.Sub("model"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not exist", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Sub("model")));
    }

    [Fact]
    public async Task Train_WithInvalidHyperparameters_ListsEveryProblem()
    {
        using var dir = new TempDir();
        var result = await BuddiesProcess.RunAsync("train", dir.Path, "--out", dir.Sub("model"), "--dim", "0", "--lr", "-1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Dimensions", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("LearningRate", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_KilledMidRunThenResumed_EqualsAnUninterruptedRun()
    {
        using var dir = new TempDir();
        var synth = await BuddiesProcess.RunAsync("data", "synth", "--preset", "small", "--out", dir.Sub("raw"));
        Assert.True(synth.ExitCode == 0, synth.ToString());
        var prepare = await BuddiesProcess.RunAsync("data", "prepare", dir.Sub("raw"), "--out", dir.Sub("dataset"));
        Assert.True(prepare.ExitCode == 0, prepare.ToString());

        const int epochs = 12;
        var whole = await BuddiesProcess.RunAsync(
            ["train", dir.Sub("dataset"), "--out", dir.Sub("whole"), "--epochs", $"{epochs}", "--artifacts", dir.Sub("a1"), "--tracking", dir.Sub("t1"), .. Settings, "--json"]);
        Assert.True(whole.ExitCode == 0, whole.ToString());

        // Start the same training, and kill -9 it as soon as its second epoch checkpoint exists.
        string[] args = ["train", dir.Sub("dataset"), "--out", dir.Sub("resumed"), "--epochs", $"{epochs}", "--artifacts", dir.Sub("a2"), "--tracking", dir.Sub("t2"), .. Settings];
        using (var process = Start(args))
        {
            var checkpoints = Path.Combine(dir.Sub("a2"), "checkpoints");
            var deadline = Stopwatch.StartNew();
            while (!process.HasExited && deadline.Elapsed < TimeSpan.FromMinutes(2)
                && !(Directory.Exists(checkpoints) && Directory.EnumerateFiles(checkpoints, "epoch-0002.safetensors", SearchOption.AllDirectories).Any()))
            {
                await Task.Delay(10);
            }

            Assert.False(process.HasExited, "training finished before it could be killed; give it more epochs");
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        Assert.False(Directory.Exists(dir.Sub("resumed")), "a killed run must not leave a model directory");

        var resumed = await BuddiesProcess.RunAsync([.. args, "--resume", "--json"]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var json = resumed.Json();
        var from = json.GetProperty("resumed_from_epoch").GetInt32();
        Assert.InRange(from, 2, epochs - 1);
        Assert.Equal(epochs, json.GetProperty("history").GetArrayLength());

        Assert.Equal(
            File.ReadAllBytes(Path.Combine(dir.Sub("whole"), "embeddings.safetensors")),
            File.ReadAllBytes(Path.Combine(dir.Sub("resumed"), "embeddings.safetensors")));
        Assert.Equal(
            whole.Json().GetProperty("test").GetProperty("mrr").GetDouble(),
            json.GetProperty("test").GetProperty("mrr").GetDouble());
    }

    private static Process Start(string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "buddies.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NO_COLOR"] = "1";
        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
