using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using SpotifyBuddies.Api.Security;
using SpotifyBuddies.Core.Workflows;
using SpotifyBuddies.Workflows.Execution;
using SpotifyBuddies.Workflows.Expressions;

namespace SpotifyBuddies.Api.Endpoints;

/// <summary>
/// <c>/api/webhooks</c>: notifications that start workflows. Alertmanager (payload version 4): each <em>firing</em>
/// alert starts every workflow whose <c>webhook.source</c> is <c>alertmanager</c> and whose <c>webhook.alerts</c> lists
/// the alert's <c>alertname</c>, with <c>webhook.parameters</c> evaluated against the alert (<c>${{ alert.labels.x }}</c>).
/// A re-delivered notification starts nothing new: the de-duplication key is workflow + the alert's fingerprint (or a
/// hash of its sorted labels) + its <c>startsAt</c>. Resolved alerts start nothing.
/// </summary>
public static class WebhooksEndpoints
{
    public const string AlertmanagerSource = "alertmanager";

    public static RouteGroupBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/webhooks").WithTags("Webhooks");
        group.MapPost("/alertmanager", AlertmanagerAsync)
            .RequireApiKey()
            .WithName("AlertmanagerWebhook")
            .WithSummary("Alertmanager's webhook receiver (API key as X-Api-Key or Authorization: Bearer, which http_config supports).");
        return group;
    }

    public static async Task<Results<Ok<WebhookResponse>, ValidationProblem>> AlertmanagerAsync(
        [FromBody] JsonObject payload,
        WorkflowEngine engine,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var logger = loggerFactory.CreateLogger(typeof(WebhooksEndpoints).FullName!);
        if (payload["alerts"] is not JsonArray alerts)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["alerts"] = ["An Alertmanager notification has an 'alerts' array."] },
                title: "Not an Alertmanager notification");
        }

        var targets = engine.Workflows
            .Where(w => string.Equals(w.Definition.Webhook?.Source, AlertmanagerSource, StringComparison.OrdinalIgnoreCase))
            .ToList();
        var runs = new List<WebhookRunResponse>();
        var firing = 0;
        foreach (var alert in alerts.OfType<JsonObject>())
        {
            if (!string.Equals(Text(alert["status"]), "firing", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            firing++;
            var alertName = Text(alert["labels"]?["alertname"]);
            if (alertName is null)
            {
                continue;
            }

            var fingerprint = Text(alert["fingerprint"]) ?? LabelsHash(alert["labels"] as JsonObject);
            var startsAt = Text(alert["startsAt"]) ?? "";
            foreach (var entry in targets.Where(w => w.Definition.Webhook!.Alerts.Contains(alertName, StringComparer.Ordinal)))
            {
                runs.Add(await StartAsync(engine, logger, entry, alert, alertName, fingerprint, startsAt, cancellationToken));
            }
        }

        return TypedResults.Ok(new WebhookResponse(alerts.Count, firing, runs));
    }

    private static async Task<WebhookRunResponse> StartAsync(
        WorkflowEngine engine,
        ILogger logger,
        WorkflowEntry entry,
        JsonObject alert,
        string alertName,
        string fingerprint,
        string startsAt,
        CancellationToken cancellationToken)
    {
        var workflow = entry.Name;
        try
        {
            var scope = new ExpressionScope { Alert = alert };
            var parameters = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
            foreach (var parameter in entry.Definition.Webhook!.Parameters)
            {
                parameters[parameter.Name] = WorkflowExpressions.Evaluate(parameter.Value, scope);
            }

            var result = await engine.StartRunAsync(
                new StartRunRequest
                {
                    Workflow = workflow,
                    Parameters = parameters,
                    Trigger = new RunTrigger(TriggerKinds.Webhook, AlertmanagerSource, alertName, $"{AlertmanagerSource}:{workflow}:{fingerprint}:{startsAt}"),
                },
                cancellationToken);
            if (result.Duplicate)
            {
                Log.WebhookDuplicate(logger, alertName, fingerprint, result.Run.Id, workflow);
                return new WebhookRunResponse(workflow, alertName, fingerprint, "duplicate", result.Run.Id, null);
            }

            Log.WebhookStarted(logger, alertName, fingerprint, result.Run.Id, workflow);
            return new WebhookRunResponse(workflow, alertName, fingerprint, "started", result.Run.Id, null);
        }
        catch (Exception ex) when (ex is WorkflowParameterException or WorkflowConflictException or ExpressionException)
        {
            // One alert's refusal must not fail the others (Alertmanager would re-send them all): it is reported per run.
            Log.WebhookRefused(logger, alertName, fingerprint, workflow, ex.Message);
            return new WebhookRunResponse(workflow, alertName, fingerprint, "refused", null, ex.Message);
        }
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    /// <summary>SHA-256 (hex, first 16 bytes) of the labels sorted by name, for alerts without a fingerprint.</summary>
    private static string LabelsHash(JsonObject? labels)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in (labels ?? []).OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append('=').Append(value?.ToJsonString()).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }
}
