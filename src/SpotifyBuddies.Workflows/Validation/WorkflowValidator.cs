using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cronos;
using SpotifyBuddies.Workflows.Catalog;
using SpotifyBuddies.Workflows.Definitions;
using SpotifyBuddies.Workflows.Expressions;

namespace SpotifyBuddies.Workflows.Validation;

/// <summary>
/// Checks a loaded definition's meaning against the step catalog and returns every problem at once, each with
/// file, line, column, a stable code (<see cref="DiagnosticCodes"/>), the element's path and a precise message:
/// header, names, parameters, schedule, steps (<c>uses</c>, <c>needs</c> and their cycles, inputs and their
/// types, expressions and what they may read, retry, timeout, foreach) and the webhook. An empty list means valid.
/// </summary>
public sealed partial class WorkflowValidator(StepCatalog catalog)
{
    public const int MaxRetryAttempts = 20;

    /// <summary>Values in messages keep their characters (no \u escapes).</summary>
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public IReadOnlyList<WorkflowDiagnostic> Validate(WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var pass = new Pass(definition, catalog);
        pass.Run();
        return [.. pass.Diagnostics.OrderBy(d => d.Position.Line).ThenBy(d => d.Position.Column)];
    }

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex WorkflowName();

    /// <summary>Step ids and parameter names are read by expressions (<c>steps.knn-refresh</c>, <c>params.raw_dir</c>).</summary>
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();

    /// <summary>Where an expression is, which decides what it may read.</summary>
    private sealed record Context(string Path, SourcePosition Position, StepDefinition? Step, bool AllowItem, bool Webhook);

    private sealed class Pass(WorkflowDefinition definition, StepCatalog catalog)
    {
        private readonly string _file = definition.SourceFile;
        private readonly Dictionary<string, StepDefinition> _steps = new(StringComparer.Ordinal);
        private readonly Dictionary<string, HashSet<string>> _ancestors = new(StringComparer.Ordinal);

        public List<WorkflowDiagnostic> Diagnostics { get; } = [];

        public void Run()
        {
            Header();
            Parameters();
            Schedule();
            StepIds();
            Needs();
            for (var i = 0; i < definition.Steps.Count; i++)
            {
                Step(definition.Steps[i], $"steps[{i}]");
            }

            Webhook();
        }

        private void Header()
        {
            if (definition.ApiVersion != WorkflowDefinition.CurrentApiVersion)
            {
                Error(definition.ApiVersionPosition, DiagnosticCodes.InvalidApiVersion, "apiVersion",
                    $"apiVersion must be '{WorkflowDefinition.CurrentApiVersion}', found '{definition.ApiVersion}'");
            }

            if (definition.Kind != WorkflowDefinition.WorkflowKind)
            {
                Error(definition.KindPosition, DiagnosticCodes.InvalidKind, "kind",
                    $"kind must be '{WorkflowDefinition.WorkflowKind}', found '{definition.Kind}'");
            }

            var name = definition.Metadata.Name;
            if (!WorkflowName().IsMatch(name) || name.Length > 63)
            {
                Error(At(definition.Metadata.NamePosition, definition.Metadata.Position), DiagnosticCodes.InvalidName, "metadata.name",
                    $"'{name}' is not a workflow name: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters");
            }

            if (definition.Steps.Count == 0)
            {
                Error(new SourcePosition(1, 1), DiagnosticCodes.NoSteps, "steps", "a workflow needs at least one step");
            }
        }

        private void Parameters()
        {
            var seen = new Dictionary<string, ParameterDefinition>(StringComparer.Ordinal);
            foreach (var parameter in definition.Parameters)
            {
                var path = $"parameters.{parameter.Name}";
                if (!Identifier().IsMatch(parameter.Name))
                {
                    Error(parameter.Position, DiagnosticCodes.InvalidParameterName, path,
                        $"'{parameter.Name}' is not a parameter name: letters, digits, '_' and '-', starting with a letter or '_'");
                }

                if (!seen.TryAdd(parameter.Name, parameter))
                {
                    Error(parameter.Position, DiagnosticCodes.DuplicateParameter, path,
                        $"parameter '{parameter.Name}' is declared twice (first at line {seen[parameter.Name].Position.Line})");
                }

                if (!parameter.HasDefault || parameter.Default is null)
                {
                    continue;
                }

                var position = At(parameter.DefaultPosition, parameter.Position);
                if (WorkflowExpressions.Analyze(parameter.Default) is { References.Count: > 0 } or { Errors.Count: > 0 })
                {
                    Error(position, DiagnosticCodes.ExpressionNotAllowed, $"{path}.default", "a parameter default is a literal value, not an expression");
                    continue;
                }

                var actual = WorkflowExpressions.InferType(parameter.Default, _ => null);
                if (actual is { } type && !Fits(parameter.Type, type))
                {
                    Error(position, DiagnosticCodes.InvalidDefault, $"{path}.default",
                        $"parameter '{parameter.Name}' is {Name(parameter.Type)}, but its default {Show(parameter.Default)} is {Name(type)}");
                }
            }
        }

        private void Schedule()
        {
            if (definition.Schedule is not { } schedule)
            {
                return;
            }

            var cron = schedule.Cron.Trim();
            var fields = cron.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Length;
            var position = At(schedule.CronPosition, schedule.Position);
            if (!cron.StartsWith('@') && fields is not (5 or 6))
            {
                Error(position, DiagnosticCodes.InvalidCron, "schedule.cron",
                    $"'{schedule.Cron}' has {fields} field(s); expected 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)");
            }
            else
            {
                try
                {
                    CronExpression.Parse(cron, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
                }
                catch (CronFormatException e)
                {
                    Error(position, DiagnosticCodes.InvalidCron, "schedule.cron", $"'{schedule.Cron}' is not a valid cron expression: {e.Message}");
                }
            }

            try
            {
                TimeZoneInfo.FindSystemTimeZoneById(schedule.TimeZone);
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                Error(At(schedule.TimeZonePosition, schedule.Position), DiagnosticCodes.UnknownTimeZone, "schedule.timezone",
                    $"unknown time zone '{schedule.TimeZone}'; use an IANA id such as 'Europe/Stockholm' or 'UTC'");
            }
        }

        private void StepIds()
        {
            for (var i = 0; i < definition.Steps.Count; i++)
            {
                var step = definition.Steps[i];
                var position = At(step.IdPosition, step.Position);
                if (!Identifier().IsMatch(step.Id))
                {
                    Error(position, DiagnosticCodes.InvalidStepId, $"steps[{i}].id",
                        $"'{step.Id}' is not a step id: letters, digits, '_' and '-', starting with a letter or '_'");
                }

                if (!_steps.TryAdd(step.Id, step))
                {
                    Error(position, DiagnosticCodes.DuplicateStepId, $"steps[{i}].id",
                        $"step id '{step.Id}' is used twice (first at line {_steps[step.Id].IdPosition.Line})");
                }
            }
        }

        private void Needs()
        {
            for (var i = 0; i < definition.Steps.Count; i++)
            {
                var step = definition.Steps[i];
                for (var j = 0; j < step.Needs.Count; j++)
                {
                    var need = step.Needs[j];
                    if (!_steps.ContainsKey(need.StepId))
                    {
                        Error(need.Position, DiagnosticCodes.UnknownNeeds, $"steps[{i}].needs[{j}]",
                            $"step '{step.Id}' needs '{need.StepId}', but there is no step with that id{Hint(need.StepId, _steps.Keys)}");
                    }
                }
            }

            foreach (var id in _steps.Keys)
            {
                _ancestors[id] = Ancestors(id);
            }

            Cycles();
        }

        private HashSet<string> Ancestors(string id)
        {
            var found = new HashSet<string>(StringComparer.Ordinal);
            var pending = new Stack<string>([id]);
            while (pending.TryPop(out var current))
            {
                foreach (var need in _steps[current].Needs)
                {
                    if (_steps.ContainsKey(need.StepId) && found.Add(need.StepId))
                    {
                        pending.Push(need.StepId);
                    }
                }
            }

            return found;
        }

        /// <summary>Depth-first search over <c>needs</c>; each cycle is reported once, where its closing edge is written.</summary>
        private void Cycles()
        {
            var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the path, 2 = done
            var path = new List<string>();
            var reported = new HashSet<string>(StringComparer.Ordinal);
            var index = definition.Steps.Select((s, i) => (s.Id, i)).GroupBy(x => x.Id, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First().i, StringComparer.Ordinal);

            void Visit(string id)
            {
                state[id] = 1;
                path.Add(id);
                var step = _steps[id];
                for (var j = 0; j < step.Needs.Count; j++)
                {
                    var need = step.Needs[j];
                    if (!_steps.ContainsKey(need.StepId))
                    {
                        continue;
                    }

                    switch (state.GetValueOrDefault(need.StepId))
                    {
                        case 0:
                            Visit(need.StepId);
                            break;
                        case 1:
                            var cycle = path.Skip(path.IndexOf(need.StepId)).ToList();
                            var key = string.Join(' ', cycle.Order(StringComparer.Ordinal));
                            if (reported.Add(key))
                            {
                                Error(need.Position, DiagnosticCodes.CyclicNeeds, $"steps[{index[id]}].needs[{j}]",
                                    $"cyclic needs: {string.Join(" → ", cycle.Append(need.StepId))}");
                            }

                            break;
                    }
                }

                path.RemoveAt(path.Count - 1);
                state[id] = 2;
            }

            foreach (var id in _steps.Keys)
            {
                if (!state.ContainsKey(id))
                {
                    Visit(id);
                }
            }
        }

        private void Step(StepDefinition step, string path)
        {
            var descriptor = catalog.Find(step.Uses);
            if (descriptor is null)
            {
                Error(At(step.UsesPosition, step.Position), DiagnosticCodes.UnknownStep, $"{path}.uses", UnknownStepMessage(step.Uses));
            }
            else
            {
                Inputs(step, descriptor, path);
            }

            var inputs = new Context($"{path}.with", step.Position, step, AllowItem: step.Foreach is not null, Webhook: false);
            foreach (var input in step.With)
            {
                Expressions(input.Value, inputs with { Path = $"{path}.with.{input.Name}", Position = At(input.Position, step.Position) });
            }

            if (step.If is { } condition)
            {
                var context = new Context($"{path}.if", At(step.IfPosition, step.Position), step, AllowItem: false, Webhook: false);
                Analysis(WorkflowExpressions.AnalyzeCondition(condition), context);
            }

            Foreach(step, path);
            Policies(step, path);
        }

        private void Inputs(StepDefinition step, StepDescriptor descriptor, string path)
        {
            foreach (var port in descriptor.Inputs.Where(p => p.Required && step.With.All(w => w.Name != p.Name)))
            {
                Error(step.Position, DiagnosticCodes.MissingInput, $"{path}.with",
                    $"step '{step.Id}' ({descriptor.Name}) needs input '{port.Name}' ({Name(port.Type)}): {port.Description}");
            }

            var context = new Context($"{path}.with", step.Position, step, AllowItem: step.Foreach is not null, Webhook: false);
            foreach (var input in step.With)
            {
                var inputPath = $"{path}.with.{input.Name}";
                if (descriptor.Input(input.Name) is not { } port)
                {
                    Error(At(input.KeyPosition, input.Position), DiagnosticCodes.UnknownInput, inputPath,
                        $"{descriptor.Name} has no input '{input.Name}'{Hint(input.Name, descriptor.Inputs.Select(p => p.Name))}; inputs: {string.Join(", ", descriptor.Inputs.Select(p => p.Name))}");
                    continue;
                }

                TypeCheck(input.Value, port.Type, port.ItemType, port.Required, context with { Path = inputPath, Position = At(input.Position, step.Position) },
                    $"input '{input.Name}' of {descriptor.Name}");
            }
        }

        /// <summary>A value against a declared type: literals by kind, expressions when their type is knowable, array items when the item type is declared.</summary>
        private void TypeCheck(JsonNode? value, DataType expected, DataType? itemType, bool required, Context context, string what)
        {
            if (value is null)
            {
                if (required)
                {
                    Error(context.Position, DiagnosticCodes.TypeMismatch, context.Path, $"{what} is {Name(expected)} and required, found null");
                }

                return;
            }

            var actual = WorkflowExpressions.InferType(value, r => TypeOf(r, context));
            if (actual is { } type && !Fits(expected, type))
            {
                Error(context.Position, DiagnosticCodes.TypeMismatch, context.Path, $"{what} is {Name(expected)}, found {Show(value)} ({Name(type)})");
                return;
            }

            if (value is JsonArray array && expected == DataType.Array && itemType is { } items)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    TypeCheck(array[i], items, null, true, context with { Path = $"{context.Path}[{i}]" }, $"each item of {what}");
                }
            }
        }

        private void Foreach(StepDefinition step, string path)
        {
            if (step.Foreach is null)
            {
                return;
            }

            var position = At(step.ForeachPosition, step.Position);
            var context = new Context($"{path}.foreach", position, step, AllowItem: false, Webhook: false);
            if (step.Foreach is JsonArray)
            {
                Expressions(step.Foreach, context);
                return;
            }

            var text = step.Foreach is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            if (!WorkflowExpressions.IsSingleExpression(text))
            {
                Error(position, DiagnosticCodes.InvalidForeach, $"{path}.foreach",
                    $"foreach takes a list or one expression that gives a list (${{{{ params.seeds }}}}), found {Show(step.Foreach)}");
                return;
            }

            if (Expressions(step.Foreach, context) && WorkflowExpressions.InferType(step.Foreach, r => TypeOf(r, context)) is { } type && type != DataType.Array)
            {
                Error(position, DiagnosticCodes.InvalidForeach, $"{path}.foreach", $"foreach needs a list, but {Show(step.Foreach)} is {Name(type)}");
            }
        }

        private void Policies(StepDefinition step, string path)
        {
            if (step.Retry is { } retry)
            {
                if (retry.Attempts is < 1 or > MaxRetryAttempts)
                {
                    Error(At(retry.AttemptsPosition, retry.Position), DiagnosticCodes.InvalidRetryAttempts, $"{path}.retry.attempts",
                        $"retry.attempts is the number of attempts in all, 1 to {MaxRetryAttempts}; found {retry.Attempts}");
                }

                if (retry.Backoff <= TimeSpan.Zero)
                {
                    Error(At(retry.BackoffPosition, retry.Position), DiagnosticCodes.InvalidBackoff, $"{path}.retry.backoff",
                        $"retry.backoff must be longer than zero, found {Durations.Format(retry.Backoff)}");
                }
            }

            if (step.Timeout is { } timeout && timeout <= TimeSpan.Zero)
            {
                Error(At(step.TimeoutPosition, step.Position), DiagnosticCodes.InvalidTimeout, $"{path}.timeout",
                    $"timeout must be longer than zero, found {Durations.Format(timeout)}");
            }

            if (step.MaxParallel is { } parallel)
            {
                var position = At(step.MaxParallelPosition, step.Position);
                if (parallel < 1)
                {
                    Error(position, DiagnosticCodes.InvalidMaxParallel, $"{path}.max_parallel", $"max_parallel must be at least 1, found {parallel}");
                }

                if (step.Foreach is null)
                {
                    Error(position, DiagnosticCodes.InvalidMaxParallel, $"{path}.max_parallel", "max_parallel limits a foreach step's items; this step has no foreach");
                }
            }
        }

        private void Webhook()
        {
            if (definition.Webhook is not { } webhook)
            {
                return;
            }

            if (webhook.Source != "alertmanager")
            {
                Error(At(webhook.SourceNamePosition, webhook.Position), DiagnosticCodes.UnknownWebhookSource, "webhook.source",
                    $"unknown webhook source '{webhook.Source}'; supported: alertmanager");
            }

            if (webhook.Alerts.Count == 0)
            {
                Error(webhook.Position, DiagnosticCodes.WebhookWithoutAlerts, "webhook.alerts",
                    "the webhook names no alerts, so no notification would start a run; list alert names under 'alerts'");
            }

            foreach (var mapping in webhook.Parameters)
            {
                var path = $"webhook.parameters.{mapping.Name}";
                var context = new Context(path, At(mapping.Position, webhook.Position), null, AllowItem: false, Webhook: true);
                if (definition.FindParameter(mapping.Name) is not { } parameter)
                {
                    Error(At(mapping.KeyPosition, mapping.Position), DiagnosticCodes.UnknownParameter, path,
                        $"the webhook sets parameter '{mapping.Name}', which is not declared{Hint(mapping.Name, definition.Parameters.Select(p => p.Name))}");
                    Expressions(mapping.Value, context);
                    continue;
                }

                if (Expressions(mapping.Value, context))
                {
                    TypeCheck(mapping.Value, parameter.Type, null, false, context, $"parameter '{mapping.Name}'");
                }
            }
        }

        /// <summary>Checks a value's expressions: syntax and what they read. False when any is wrong.</summary>
        private bool Expressions(JsonNode? value, Context context) => Analysis(WorkflowExpressions.Analyze(value), context);

        private bool Analysis(ExpressionAnalysis analysis, Context context)
        {
            var before = Diagnostics.Count;
            foreach (var error in analysis.Errors)
            {
                Error(context.Position, DiagnosticCodes.ExpressionSyntax, context.Path + error.Location,
                    $"bad expression '{error.Expression}': {error.Message}");
            }

            foreach (var reference in analysis.References)
            {
                Reference(reference, context);
            }

            return Diagnostics.Count == before;
        }

        private void Reference(ExpressionReference reference, Context context)
        {
            var path = context.Path + reference.Location;
            void Fail(string code, string message) => Error(context.Position, code, path, $"{reference.Path}: {message}");

            if (context.Webhook && reference.Root != "alert")
            {
                Fail(DiagnosticCodes.InvalidReference, "a webhook's parameter mappings read only alert.* (e.g. alert.labels.severity)");
                return;
            }

            var members = reference.Members;
            switch (reference.Root)
            {
                case "params" when members.Count > 0 && definition.FindParameter(members[0]) is null:
                    Fail(DiagnosticCodes.UnknownParameter, $"no parameter '{members[0]}' is declared{Hint(members[0], definition.Parameters.Select(p => p.Name))}");
                    break;
                case "steps":
                    StepReference(reference, context, Fail);
                    break;
                case "item" or "index" when !context.AllowItem:
                    Fail(DiagnosticCodes.ItemOutsideForeach, context.Step?.Foreach is null
                        ? $"'{reference.Root}' is only set in the 'with' of a step that has foreach"
                        : $"'{reference.Root}' is only set in 'with', not in 'if' or 'foreach'");
                    break;
                case "run" when members.Count > 0 && members[0] is not ("id" or "workflow"):
                    Fail(DiagnosticCodes.InvalidReference, $"a run has 'id' and 'workflow', not '{members[0]}'");
                    break;
                case "alert" when !context.Webhook:
                    Fail(DiagnosticCodes.InvalidReference, "'alert' is only set in a webhook's parameter mappings");
                    break;
            }
        }

        private void StepReference(ExpressionReference reference, Context context, Action<string, string> fail)
        {
            var members = reference.Members;
            if (members.Count == 0)
            {
                fail(DiagnosticCodes.InvalidReference, "name a step: steps.<id>.outputs.<name> or steps.<id>.status");
                return;
            }

            var id = members[0];
            if (!_steps.TryGetValue(id, out var target))
            {
                fail(DiagnosticCodes.UnknownStepReference, $"there is no step '{id}'{Hint(id, _steps.Keys)}");
                return;
            }

            if (context.Step is { } reader && (reader.Id == id || !_ancestors.GetValueOrDefault(reader.Id, []).Contains(id)))
            {
                fail(DiagnosticCodes.ReferenceNotNeeded, reader.Id == id
                    ? $"step '{id}' cannot read its own result"
                    : $"step '{reader.Id}' reads step '{id}', which it does not need (directly or through its needs); add '{id}' to its needs");
                return;
            }

            if (members.Count == 1 || members[1] is not ("outputs" or "status"))
            {
                fail(DiagnosticCodes.InvalidReference, $"a step's result is read as steps.{id}.outputs.<name> or steps.{id}.status");
                return;
            }

            if (members[1] == "outputs" && members.Count > 2 && catalog.Find(target.Uses) is { } descriptor && descriptor.Output(members[2]) is null)
            {
                var outputs = descriptor.Outputs.Select(o => o.Name).ToList();
                fail(DiagnosticCodes.UnknownOutput,
                    $"{descriptor.Name} has no output '{members[2]}'{Hint(members[2], outputs)}; outputs: {(outputs.Count == 0 ? "none" : string.Join(", ", outputs))}");
            }
        }

        /// <summary>The static type of a reference, where the definition or the catalog says it.</summary>
        private DataType? TypeOf(ExpressionReference reference, Context context)
        {
            var m = reference.Members;
            return reference.Root switch
            {
                "params" when m.Count == 0 => DataType.Object,
                "params" when m.Count == 1 => definition.FindParameter(m[0])?.Type,
                "steps" when m is [_, "status"] => DataType.String,
                "steps" when m is [_, "outputs"] => DataType.Object,
                // A foreach step fans in: each of its outputs is the array of the items' values.
                "steps" when m.Count == 3 && m[1] == "outputs" && _steps.TryGetValue(m[0], out var step) =>
                    step.Foreach is not null ? DataType.Array : catalog.Find(step.Uses)?.Output(m[2])?.Type,
                "index" when m.Count == 0 => DataType.Integer,
                "item" when m.Count == 0 => ForeachItemType(context.Step),
                "run" when m.Count == 1 => DataType.String,
                "alert" when m.Count == 2 && m[0] is "labels" or "annotations" => DataType.String,
                _ => null,
            };
        }

        /// <summary>When foreach is a literal list whose items all have one type, <c>item</c> has it.</summary>
        private static DataType? ForeachItemType(StepDefinition? step)
        {
            if (step?.Foreach is not JsonArray { Count: > 0 } array)
            {
                return null;
            }

            var types = array.Select(i => WorkflowExpressions.InferType(i, _ => null)).Distinct().ToList();
            return types is [{ } only] ? only : null;
        }

        private string UnknownStepMessage(string uses)
        {
            var names = catalog.Descriptors.Select(d => d.Name).ToList();
            var near = Suggestions.Near(uses, names);
            var hint = near.Count > 0 ? $"; did you mean {string.Join(" or ", near.Select(n => $"'{n}'"))}?" : "";
            var listing = names.Count == 0
                ? "no steps are registered"
                : names.Count <= 30
                    ? "registered steps: " + string.Join("; ", catalog.Descriptors.GroupBy(d => d.Category).Select(g => $"{g.Key}: {string.Join(", ", g.Select(d => d.Name))}"))
                    : "categories: " + string.Join(", ", catalog.Descriptors.Select(d => d.Category).Distinct());
            return $"no step named '{uses}' is registered{hint}; {listing}";
        }

        private static string Hint(string name, IEnumerable<string> candidates) =>
            Suggestions.Closest(name, candidates) is { } near ? $"; did you mean '{near}'?" : "";

        private static bool Fits(DataType expected, DataType actual) =>
            expected == actual || (expected == DataType.Number && actual == DataType.Integer);

        private static string Name(DataType type) => WorkflowExpressions.TypeName(type);

        private static string Show(JsonNode? value)
        {
            var text = value?.ToJsonString(Readable) ?? "null";
            return text.Length > 60 ? text[..57] + "..." : text;
        }

        private static SourcePosition At(SourcePosition preferred, SourcePosition fallback) => preferred.Line > 0 ? preferred : fallback;

        private void Error(SourcePosition position, string code, string path, string message) =>
            Diagnostics.Add(new WorkflowDiagnostic(_file, position, code, path, message));
    }
}
