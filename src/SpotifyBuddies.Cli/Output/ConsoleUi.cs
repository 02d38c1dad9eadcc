using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;
using SpotifyBuddies.Data.Preparation;

namespace SpotifyBuddies.Cli.Output;

/// <summary>A phase of long work and how far it got.</summary>
internal sealed record PhaseUpdate(string Phase, long Done, long Total)
{
    /// <summary>A short live figure shown beside the phase (e.g. "412k triplets/s"), or null.</summary>
    public string? Detail { get; init; }
}

/// <summary>
/// Console output shared by all commands. Human output goes to stdout; with <c>--json</c>, stdout carries
/// only the JSON document and progress goes to stderr, so the result can be piped.
/// Progress bars are drawn when the terminal is interactive; otherwise each phase logs one line when it ends.
/// </summary>
internal sealed class ConsoleUi
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private readonly TextWriter _stdout = Console.Out;

    private ConsoleUi(bool json)
    {
        Json = json;
        Out = AnsiConsole.Console;
        Status = json
            ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) })
            : AnsiConsole.Console;
    }

    public bool Json { get; }

    /// <summary>Where results go.</summary>
    public IAnsiConsole Out { get; }

    /// <summary>Where progress and notes go.</summary>
    public IAnsiConsole Status { get; }

    public static ConsoleUi Create(bool json) => new(json);

    public void Note(string markup) => Status.MarkupLine(markup);

    public void WriteJson<T>(T value) => _stdout.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    /// <summary>A pipeline's outcome: the whole result as JSON with <c>--json</c>, else its statistics table, phase
    /// timings and warnings.</summary>
    public void WriteReport<T>(T result, Func<T, Table> stats, IEnumerable<PhaseTiming> timings, IEnumerable<string> warnings)
    {
        if (Json)
        {
            WriteJson(result);
            return;
        }

        Out.Write(stats(result));
        Out.Write(ReportView.Timings(timings));
        foreach (var warning in warnings)
        {
            Note($"[yellow]warning:[/] {Markup.Escape(warning)}");
        }
    }

    /// <summary>
    /// Runs synchronous long work on a worker thread, showing one progress bar per phase it reports.
    /// </summary>
    public Task<T> RunAsync<T>(string title, Func<IProgress<PhaseUpdate>, T> work, CancellationToken cancellationToken) =>
        RunAsync(title, progress => Task.FromResult(work(progress)), cancellationToken);

    /// <summary>
    /// Runs long asynchronous work on a worker thread, showing one progress bar per phase it reports.
    /// </summary>
    public async Task<T> RunAsync<T>(string title, Func<IProgress<PhaseUpdate>, Task<T>> work, CancellationToken cancellationToken)
    {
        var interactive = Status.Profile.Capabilities.Interactive && !Console.IsErrorRedirected && !Console.IsOutputRedirected;
        if (!interactive)
        {
            var log = new PhaseLog(Status, title);
            var result = await Task.Run(() => work(log), cancellationToken);
            log.Finish();
            return result;
        }

        return await Status.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn(),
                new RemainingTimeColumn(),
                new SpinnerColumn())
            .StartAsync(async context =>
            {
                var bars = new BarProgress(context);
                var result = await Task.Run(() => work(bars), cancellationToken);
                bars.CompleteAll();
                return result;
            });
    }

    /// <summary>Progress bars, one per phase name, created on the phase's first report.</summary>
    private sealed class BarProgress(ProgressContext context) : IProgress<PhaseUpdate>
    {
        private readonly Dictionary<string, ProgressTask> _tasks = [];
        private readonly Lock _lock = new();

        public void Report(PhaseUpdate value)
        {
            lock (_lock)
            {
                if (!_tasks.TryGetValue(value.Phase, out var task))
                {
                    foreach (var earlier in _tasks.Values)
                    {
                        earlier.Value = earlier.MaxValue;
                    }

                    task = context.AddTask(Markup.Escape(value.Phase));
                    _tasks[value.Phase] = task;
                }

                task.MaxValue = Math.Max(1, value.Total);
                task.Value = value.Done;
                if (value.Detail is not null)
                {
                    task.Description = Markup.Escape($"{value.Phase} · {value.Detail}");
                }
            }
        }

        public void CompleteAll()
        {
            lock (_lock)
            {
                foreach (var task in _tasks.Values)
                {
                    task.Value = task.MaxValue;
                }
            }
        }
    }

    /// <summary>Plain progress for logs and CI: a line when each phase ends, with its duration.</summary>
    private sealed class PhaseLog(IAnsiConsole console, string title) : IProgress<PhaseUpdate>
    {
        private readonly Lock _lock = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private string? _phase;
        private string? _detail;
        private TimeSpan _phaseStart;

        public void Report(PhaseUpdate value)
        {
            lock (_lock)
            {
                if (_phase != value.Phase)
                {
                    EndPhase();
                    _phase = value.Phase;
                    _phaseStart = _clock.Elapsed;
                }

                _detail = value.Detail ?? _detail;
            }
        }

        public void Finish()
        {
            lock (_lock)
            {
                EndPhase();
                console.MarkupLine($"[grey]{Markup.Escape(title)}: done in {_clock.Elapsed.TotalSeconds:F1} s[/]");
            }
        }

        private void EndPhase()
        {
            if (_phase is not null)
            {
                var seconds = (_clock.Elapsed - _phaseStart).TotalSeconds;
                var detail = _detail is null ? "" : $", {_detail}";
                console.MarkupLine($"[grey]  {Markup.Escape(_phase)} ({seconds:F1} s{Markup.Escape(detail)})[/]");
                _detail = null;
            }
        }
    }
}
