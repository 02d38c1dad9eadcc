using System.CommandLine;
using SpotifyBuddies.Data.Datasets;
using SpotifyBuddies.Data.Formats;
using SpotifyBuddies.Data.Inspection;

namespace SpotifyBuddies.Cli;

/// <summary>
/// Runs a command body and turns its outcome into an exit code and a one-paragraph message on stderr:
/// never a stack trace for expected failures.
/// </summary>
internal static class CommandAction
{
    /// <summary>Input is unusable for a reason the user can fix; maps to exit code 1.</summary>
    internal sealed class InvalidInputException(string message) : Exception(message);

    /// <summary>Exit 1 listing every problem, when there are any.</summary>
    public static void ThrowIfInvalid(IReadOnlyList<string> problems)
    {
        if (problems.Count > 0)
        {
            throw new InvalidInputException(string.Join("; ", problems));
        }
    }

    /// <summary>Exit 1 when <paramref name="target"/> holds something and --force was not given: never overwrite silently.</summary>
    public static void ThrowIfOutputExists(string target, bool force)
    {
        if (!force && DatasetStaging.IsNonEmptyDirectory(target))
        {
            throw new InvalidInputException($"'{target}' already exists and is not empty; pass --force to replace it");
        }
    }

    /// <summary>Exit 1 unless <paramref name="datasetDir"/> holds a complete prepared dataset (its manifest is written last).</summary>
    public static void ThrowIfNotPreparedDataset(string datasetDir)
    {
        if (!File.Exists(Path.Combine(datasetDir, DatasetManifest.FileName)))
        {
            throw new InvalidInputException(Directory.Exists(datasetDir)
                ? $"'{datasetDir}' has no {DatasetManifest.FileName}: it is not a complete prepared dataset (run 'buddies data prepare')"
                : $"the dataset directory '{datasetDir}' does not exist");
        }
    }

    public static void Set(Command command, Func<ParseResult, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await body(parse, cancellationToken);
            }
            catch (DataFormatException ex)
            {
                return Fail(ExitCodes.InvalidInput, $"malformed input: {ex.Error}",
                    "use --skip-bad to skip and count malformed records instead of stopping");
            }
            catch (InvalidDatasetException ex)
            {
                return Fail(ExitCodes.InvalidInput, "the dataset is incomplete:\n  " + string.Join("\n  ", ex.Problems));
            }
            catch (InvalidInputException ex)
            {
                return Fail(ExitCodes.InvalidInput, ex.Message);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Fail(ExitCodes.Failure, "cancelled");
            }
            catch (IOException ex)
            {
                return Fail(ExitCodes.Failure, ex.Message);
            }
            catch (UnauthorizedAccessException ex)
            {
                return Fail(ExitCodes.Failure, ex.Message);
            }
            catch (Exception ex) when (Environment.GetEnvironmentVariable("BUDDIES_DEBUG") != "1")
            {
                return Fail(ExitCodes.Failure, $"unexpected {ex.GetType().Name}: {ex.Message}",
                    "set BUDDIES_DEBUG=1 to see the stack trace, and please report it");
            }
        });

    private static int Fail(int code, string message, string? hint = null)
    {
        Console.Error.WriteLine($"error: {message}");
        if (hint is not null)
        {
            Console.Error.WriteLine($"hint: {hint}");
        }

        return code;
    }
}
