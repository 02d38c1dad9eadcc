using System.Text.Json.Nodes;

namespace SpotifyBuddies.Workflows.Definitions;

/// <summary>
/// Loads <c>spotifybuddies/v1</c> workflow files. A <c>.json</c> file is read as JSON, anything else as YAML;
/// both become the same records. Only the file's structure is checked here (syntax, node kinds, known keys,
/// durations, enumerations); the workflow validator checks its meaning. Every structural problem is reported
/// at once in one <see cref="WorkflowDefinitionException"/>.
/// </summary>
public static class WorkflowLoader
{
    /// <exception cref="WorkflowDefinitionException">The text is not a structurally valid definition.</exception>
    public static WorkflowDefinition Parse(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        SourceNode root;
        try
        {
            root = IsJson(file) ? JsonSourceReader.Read(text) : YamlSourceReader.Read(text);
        }
        catch (SourceSyntaxException e)
        {
            throw new WorkflowDefinitionException([new WorkflowDiagnostic(file, e.Position, DiagnosticCodes.Syntax, "", e.Message)]);
        }

        var converter = new DefinitionReader(file);
        var definition = converter.Read(root);
        return converter.Problems.Count == 0 && definition is not null
            ? definition
            : throw new WorkflowDefinitionException([.. converter.Problems.OrderBy(p => p.Position.Line).ThenBy(p => p.Position.Column)]);
    }

    /// <summary>Reads and parses a file; <see cref="WorkflowDefinition.SourceFile"/> is <paramref name="path"/> as given.</summary>
    /// <exception cref="WorkflowDefinitionException">The text is not a structurally valid definition.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static WorkflowDefinition LoadFile(string path) => Parse(File.ReadAllText(path), path);

    private static bool IsJson(string file) => Path.GetExtension(file).Equals(".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Turns the source tree into records, collecting every problem on the way.</summary>
    private sealed class DefinitionReader(string file)
    {
        private static readonly string[] TopFields = ["apiVersion", "kind", "metadata", "schedule", "concurrency", "parameters", "webhook", "steps"];
        private static readonly string[] MetadataFields = ["name", "description", "labels"];
        private static readonly string[] ScheduleFields = ["cron", "timezone"];
        private static readonly string[] ParameterFields = ["type", "default", "description"];
        private static readonly string[] WebhookFields = ["source", "alerts", "parameters"];
        private static readonly string[] StepFields = ["id", "uses", "with", "needs", "if", "retry", "timeout", "foreach", "max_parallel"];
        private static readonly string[] RetryFields = ["attempts", "backoff", "strategy"];

        public List<WorkflowDiagnostic> Problems { get; } = [];

        public WorkflowDefinition? Read(SourceNode root)
        {
            var fields = Fields(root, "", TopFields);
            if (fields is null)
            {
                return null;
            }

            var metadata = fields.TryGetValue("metadata", out var m) ? ReadMetadata(m.Value) : null;
            if (metadata is null && !fields.ContainsKey("metadata"))
            {
                Missing(root.Position, "", "metadata");
            }

            if (!fields.ContainsKey("steps"))
            {
                Missing(root.Position, "", "steps");
            }

            var concurrency = ConcurrencyPolicy.Forbid;
            var concurrencyPosition = SourcePosition.None;
            if (fields.TryGetValue("concurrency", out var c))
            {
                concurrencyPosition = c.Value.Position;
                concurrency = Enumeration(c.Value, "concurrency", ConcurrencyPolicy.Forbid,
                    ("forbid", ConcurrencyPolicy.Forbid), ("allow", ConcurrencyPolicy.Allow), ("replace", ConcurrencyPolicy.Replace));
            }

            var apiVersion = RequiredString(fields, root, "", "apiVersion");
            var kind = RequiredString(fields, root, "", "kind");
            return new WorkflowDefinition
            {
                SourceFile = file,
                ApiVersion = apiVersion.Value,
                ApiVersionPosition = apiVersion.Position,
                Kind = kind.Value,
                KindPosition = kind.Position,
                Metadata = metadata ?? new WorkflowMetadata { Name = "", Position = root.Position },
                Schedule = fields.TryGetValue("schedule", out var s) ? ReadSchedule(s.Value) : null,
                Concurrency = concurrency,
                ConcurrencyPosition = concurrencyPosition,
                Parameters = fields.TryGetValue("parameters", out var p) ? ReadParameters(p.Value) : [],
                Webhook = fields.TryGetValue("webhook", out var w) ? ReadWebhook(w.Value) : null,
                Steps = fields.TryGetValue("steps", out var st) ? ReadSteps(st.Value) : [],
            };
        }

        private WorkflowMetadata? ReadMetadata(SourceNode node)
        {
            var fields = Fields(node, "metadata", MetadataFields);
            if (fields is null)
            {
                return null;
            }

            var name = RequiredString(fields, node, "metadata", "name");
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (fields.TryGetValue("labels", out var l) && Fields(l.Value, "metadata.labels", null) is { } labelFields)
            {
                foreach (var (key, entry) in labelFields)
                {
                    if (String(entry.Value, $"metadata.labels.{key}") is { } value)
                    {
                        labels[key] = value;
                    }
                }
            }

            return new WorkflowMetadata
            {
                Name = name.Value,
                NamePosition = name.Position,
                Description = OptionalString(fields, "metadata", "description"),
                Labels = labels,
                Position = node.Position,
            };
        }

        private ScheduleDefinition? ReadSchedule(SourceNode node)
        {
            var fields = Fields(node, "schedule", ScheduleFields);
            if (fields is null)
            {
                return null;
            }

            var cron = RequiredString(fields, node, "schedule", "cron");
            var schedule = new ScheduleDefinition { Cron = cron.Value, CronPosition = cron.Position, Position = node.Position };
            if (fields.TryGetValue("timezone", out var tz) && String(tz.Value, "schedule.timezone") is { } zone)
            {
                schedule = schedule with { TimeZone = zone, TimeZonePosition = tz.Value.Position };
            }

            return schedule;
        }

        private List<ParameterDefinition> ReadParameters(SourceNode node)
        {
            var parameters = new List<ParameterDefinition>();
            if (Fields(node, "parameters", null) is not { } entries)
            {
                return parameters;
            }

            foreach (var (name, (key, value)) in entries)
            {
                var path = $"parameters.{name}";
                var fields = Fields(value, path, ParameterFields);
                if (fields is null)
                {
                    continue;
                }

                var type = DataType.String;
                if (fields.TryGetValue("type", out var t))
                {
                    type = Enumeration(t.Value, $"{path}.type", DataType.String,
                        ("string", DataType.String), ("integer", DataType.Integer), ("number", DataType.Number),
                        ("boolean", DataType.Boolean), ("array", DataType.Array), ("object", DataType.Object));
                }
                else
                {
                    Missing(value.Position, path, "type");
                }

                var hasDefault = fields.TryGetValue("default", out var d);
                parameters.Add(new ParameterDefinition
                {
                    Name = name,
                    Type = type,
                    HasDefault = hasDefault,
                    Default = hasDefault ? ToJson(d.Value, $"{path}.default") : null,
                    DefaultPosition = hasDefault ? d.Value.Position : SourcePosition.None,
                    Description = OptionalString(fields, path, "description"),
                    Position = key.Position,
                });
            }

            return parameters;
        }

        private WebhookDefinition? ReadWebhook(SourceNode node)
        {
            var fields = Fields(node, "webhook", WebhookFields);
            if (fields is null)
            {
                return null;
            }

            var source = RequiredString(fields, node, "webhook", "source");
            return new WebhookDefinition
            {
                Source = source.Value,
                SourceNamePosition = source.Position,
                Alerts = fields.TryGetValue("alerts", out var a) ? StringList(a.Value, "webhook.alerts").Select(x => x.Value).ToList() : [],
                Parameters = fields.TryGetValue("parameters", out var p) ? NamedValues(p.Value, "webhook.parameters") : [],
                Position = node.Position,
            };
        }

        private List<StepDefinition> ReadSteps(SourceNode node)
        {
            var steps = new List<StepDefinition>();
            if (node is not SourceSequence sequence)
            {
                WrongKind(node, "steps", "a list of steps");
                return steps;
            }

            for (var i = 0; i < sequence.Items.Count; i++)
            {
                if (ReadStep(sequence.Items[i], $"steps[{i}]") is { } step)
                {
                    steps.Add(step);
                }
            }

            return steps;
        }

        private StepDefinition? ReadStep(SourceNode node, string path)
        {
            var fields = Fields(node, path, StepFields);
            if (fields is null)
            {
                return null;
            }

            var id = RequiredString(fields, node, path, "id");
            var uses = RequiredString(fields, node, path, "uses");
            var step = new StepDefinition
            {
                Id = id.Value,
                IdPosition = id.Position,
                Uses = uses.Value,
                UsesPosition = uses.Position,
                Position = node.Position,
                With = fields.TryGetValue("with", out var w) ? NamedValues(w.Value, $"{path}.with") : [],
                Needs = fields.TryGetValue("needs", out var n) ? StringList(n.Value, $"{path}.needs").Select(x => new StepReference(x.Value, x.Position)).ToList() : [],
            };

            if (fields.TryGetValue("if", out var condition) && String(condition.Value, $"{path}.if") is { } text)
            {
                step = step with { If = text, IfPosition = condition.Value.Position };
            }

            if (fields.TryGetValue("retry", out var retry))
            {
                step = step with { Retry = ReadRetry(retry.Value, $"{path}.retry") };
            }

            if (fields.TryGetValue("timeout", out var timeout))
            {
                step = step with { Timeout = Duration(timeout.Value, $"{path}.timeout"), TimeoutPosition = timeout.Value.Position };
            }

            if (fields.TryGetValue("foreach", out var foreach_))
            {
                step = step with { Foreach = ToJson(foreach_.Value, $"{path}.foreach"), ForeachPosition = foreach_.Value.Position };
            }

            if (fields.TryGetValue("max_parallel", out var parallel))
            {
                step = step with { MaxParallel = Integer(parallel.Value, $"{path}.max_parallel"), MaxParallelPosition = parallel.Value.Position };
            }

            return step;
        }

        private RetryPolicy? ReadRetry(SourceNode node, string path)
        {
            var fields = Fields(node, path, RetryFields);
            if (fields is null)
            {
                return null;
            }

            var retry = new RetryPolicy { Position = node.Position };
            if (fields.TryGetValue("attempts", out var a) && Integer(a.Value, $"{path}.attempts") is { } attempts)
            {
                retry = retry with { Attempts = attempts, AttemptsPosition = a.Value.Position };
            }

            if (fields.TryGetValue("backoff", out var b) && Duration(b.Value, $"{path}.backoff") is { } backoff)
            {
                retry = retry with { Backoff = backoff, BackoffPosition = b.Value.Position };
            }

            if (fields.TryGetValue("strategy", out var s))
            {
                retry = retry with { Exponential = Enumeration(s.Value, $"{path}.strategy", true, ("exponential", true), ("fixed", false)) };
            }

            return retry;
        }

        private List<StepInputValue> NamedValues(SourceNode node, string path)
        {
            var values = new List<StepInputValue>();
            if (Fields(node, path, null) is { } fields)
            {
                foreach (var (name, (key, value)) in fields)
                {
                    values.Add(new StepInputValue(name, ToJson(value, $"{path}.{name}"), value.Position) { KeyPosition = key.Position });
                }
            }

            return values;
        }

        /// <summary>A scalar or a list of scalars, as strings.</summary>
        private List<(string Value, SourcePosition Position)> StringList(SourceNode node, string path)
        {
            if (node is SourceScalar scalar)
            {
                return [(scalar.Value, scalar.Position)];
            }

            var list = new List<(string, SourcePosition)>();
            if (node is not SourceSequence sequence)
            {
                WrongKind(node, path, "a name or a list of names");
                return list;
            }

            for (var i = 0; i < sequence.Items.Count; i++)
            {
                if (String(sequence.Items[i], $"{path}[{i}]") is { } value)
                {
                    list.Add((value, sequence.Items[i].Position));
                }
            }

            return list;
        }

        private JsonNode? ToJson(SourceNode node, string path)
        {
            switch (node)
            {
                case SourceScalar scalar:
                    return YamlScalars.ToNode(scalar);
                case SourceSequence sequence:
                    var array = new JsonArray();
                    for (var i = 0; i < sequence.Items.Count; i++)
                    {
                        array.Add(ToJson(sequence.Items[i], $"{path}[{i}]"));
                    }

                    return array;
                default:
                    var obj = new JsonObject();
                    foreach (var (name, (_, value)) in Fields(node, path, null) ?? [])
                    {
                        obj[name] = ToJson(value, $"{path}.{name}");
                    }

                    return obj;
            }
        }

        /// <summary>
        /// The entries of a mapping by key (first occurrence kept), reporting duplicate keys and, when
        /// <paramref name="allowed"/> is given, unknown keys. Null (and a problem) when the node is not a mapping.
        /// </summary>
        private Dictionary<string, (SourceScalar Key, SourceNode Value)>? Fields(SourceNode node, string path, string[]? allowed)
        {
            if (node is not SourceMapping mapping)
            {
                WrongKind(node, path, "a mapping");
                return null;
            }

            var fields = new Dictionary<string, (SourceScalar, SourceNode)>(StringComparer.Ordinal);
            foreach (var (key, value) in mapping.Entries)
            {
                var keyPath = Join(path, key.Value);
                if (allowed is not null && !allowed.Contains(key.Value, StringComparer.Ordinal))
                {
                    var hint = Suggestions.Closest(key.Value, allowed) is { } near ? $"did you mean '{near}'? " : "";
                    Error(key.Position, DiagnosticCodes.UnknownField, keyPath,
                        $"unknown field '{key.Value}'; {hint}allowed here: {string.Join(", ", allowed)}");
                    continue;
                }

                if (!fields.TryAdd(key.Value, (key, value)))
                {
                    Error(key.Position, DiagnosticCodes.DuplicateKey, keyPath,
                        $"'{key.Value}' appears twice (first at line {fields[key.Value].Item1.Position.Line})");
                }
            }

            return fields;
        }

        private (string Value, SourcePosition Position) RequiredString(
            Dictionary<string, (SourceScalar Key, SourceNode Value)> fields, SourceNode parent, string path, string name)
        {
            if (!fields.TryGetValue(name, out var field))
            {
                Missing(parent.Position, path, name);
                return ("", parent.Position);
            }

            return (String(field.Value, Join(path, name)) ?? "", field.Value.Position);
        }

        private string? OptionalString(Dictionary<string, (SourceScalar Key, SourceNode Value)> fields, string path, string name) =>
            fields.TryGetValue(name, out var field) ? String(field.Value, Join(path, name)) : null;

        private string? String(SourceNode node, string path)
        {
            if (node is SourceScalar scalar)
            {
                return scalar.Value;
            }

            WrongKind(node, path, "a scalar");
            return null;
        }

        private int? Integer(SourceNode node, string path)
        {
            if (node is SourceScalar scalar && YamlScalars.ToNode(scalar) is JsonValue value && value.TryGetValue<int>(out var integer))
            {
                return integer;
            }

            Error(node.Position, DiagnosticCodes.InvalidValue, path, $"expected an integer, found {Describe(node)}");
            return null;
        }

        private TimeSpan? Duration(SourceNode node, string path)
        {
            if (node is SourceScalar scalar && Durations.TryParse(scalar.Value, out var duration))
            {
                return duration;
            }

            Error(node.Position, DiagnosticCodes.InvalidDuration, path,
                $"expected a duration such as 500ms, 90s, 5m, 2h, 1d or 1h30m, found {Describe(node)}");
            return null;
        }

        private T Enumeration<T>(SourceNode node, string path, T fallback, params (string Name, T Value)[] choices)
        {
            if (node is SourceScalar scalar)
            {
                foreach (var (name, value) in choices)
                {
                    if (name == scalar.Value)
                    {
                        return value;
                    }
                }
            }

            Error(node.Position, DiagnosticCodes.InvalidValue, path,
                $"expected one of {string.Join(", ", choices.Select(c => c.Name))}, found {Describe(node)}");
            return fallback;
        }

        private void WrongKind(SourceNode node, string path, string expected) =>
            Error(node.Position, DiagnosticCodes.WrongNodeKind, path, $"expected {expected}, found {node.KindName}");

        private void Missing(SourcePosition position, string path, string name) =>
            Error(position, DiagnosticCodes.MissingField, Join(path, name), $"the field '{name}' is required");

        private void Error(SourcePosition position, string code, string path, string message) =>
            Problems.Add(new WorkflowDiagnostic(file, position, code, path, message));

        private static string Describe(SourceNode node) => node is SourceScalar s ? $"'{s.Value}'" : node.KindName;

        private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
    }
}
