using System.CommandLine;
using SpotifyBuddies.Core.Tracking;

namespace SpotifyBuddies.Cli.Composition;

/// <summary>
/// <see cref="CommandAction.Set"/> for commands that use the profile's backends, mapping their failures to the house
/// exit codes with the backend's own message and no stack trace: an invalid configuration, an unknown run, model or
/// version, or a value the tracker refuses → 1; a tracker that cannot be reached or fails → 2.
/// </summary>
internal static class TrackedAction
{
    public static void Set(Command command, Func<ParseResult, CancellationToken, Task<int>> body) =>
        CommandAction.Set(command, async (parse, cancellationToken) =>
        {
            try
            {
                return await body(parse, cancellationToken);
            }
            catch (InvalidConfigurationException ex)
            {
                throw new CommandAction.InvalidInputException(ex.Message);
            }
            catch (TrackingNotFoundException ex)
            {
                throw new CommandAction.InvalidInputException(ex.Message);
            }
            catch (TrackingException ex) when (ex.ErrorCode is "INVALID_PARAMETER_VALUE" or "RESOURCE_ALREADY_EXISTS")
            {
                throw new CommandAction.InvalidInputException(ex.Message);
            }
            catch (TrackingException ex)
            {
                // A transport failure, a timeout or a server error: reported like any other I/O failure (exit 2).
                var hint = ex.InnerException is HttpRequestException or OperationCanceledException
                    ? " Check Mlflow:TrackingUri (" + BuddiesConfiguration.VariableFor(BuddiesConfiguration.MlflowTrackingUri) + ") and that the server is running."
                    : "";
                throw new IOException(ex.Message.TrimEnd() + (ex.Message.TrimEnd().EndsWith('.') ? "" : ".") + hint, ex);
            }
        });
}
