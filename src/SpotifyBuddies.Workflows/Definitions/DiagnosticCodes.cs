namespace SpotifyBuddies.Workflows.Definitions;

/// <summary>
/// The stable codes of <see cref="WorkflowDiagnostic"/>: the first group comes from the loader (the file's
/// structure), the rest from the validator (its meaning). Tools and tests match on these, never on messages.
/// </summary>
public static class DiagnosticCodes
{
    // Loader: structure.

    /// <summary>The file could not be read.</summary>
    public const string UnreadableFile = "unreadable-file";

    /// <summary>YAML or JSON syntax error.</summary>
    public const string Syntax = "syntax";

    /// <summary>A mapping where a list or scalar belongs, or the like.</summary>
    public const string WrongNodeKind = "wrong-node-kind";

    public const string UnknownField = "unknown-field";

    public const string MissingField = "missing-field";

    public const string DuplicateKey = "duplicate-key";

    /// <summary>Not a duration such as <c>500ms</c>, <c>90s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c> or <c>1h30m</c>.</summary>
    public const string InvalidDuration = "invalid-duration";

    /// <summary>A value outside its enumeration (e.g. <c>concurrency: sometimes</c>) or not an integer where one belongs.</summary>
    public const string InvalidValue = "invalid-value";

    // Validator: meaning.

    public const string InvalidApiVersion = "invalid-api-version";

    public const string InvalidKind = "invalid-kind";

    public const string InvalidName = "invalid-name";

    public const string NoSteps = "no-steps";

    public const string InvalidStepId = "invalid-step-id";

    public const string DuplicateStepId = "duplicate-step-id";

    public const string InvalidParameterName = "invalid-parameter-name";

    public const string DuplicateParameter = "duplicate-parameter";

    /// <summary>A parameter default that does not have the parameter's declared type.</summary>
    public const string InvalidDefault = "invalid-default";

    /// <summary><c>uses</c> names no registered step.</summary>
    public const string UnknownStep = "unknown-step";

    public const string UnknownNeeds = "unknown-needs";

    public const string CyclicNeeds = "cyclic-needs";

    public const string MissingInput = "missing-input";

    public const string UnknownInput = "unknown-input";

    /// <summary>A value (literal or expression of known type) that does not have the input's type.</summary>
    public const string TypeMismatch = "type-mismatch";

    public const string ExpressionSyntax = "expression-syntax";

    /// <summary>An expression where only literals are allowed (parameter defaults).</summary>
    public const string ExpressionNotAllowed = "expression-not-allowed";

    /// <summary><c>params.x</c> where no parameter <c>x</c> is declared (also webhook parameter mappings).</summary>
    public const string UnknownParameter = "unknown-parameter";

    /// <summary><c>steps.x</c> where no step <c>x</c> exists.</summary>
    public const string UnknownStepReference = "unknown-step-reference";

    /// <summary><c>steps.x</c> where <c>x</c> is not an ancestor of this step through <c>needs</c>.</summary>
    public const string ReferenceNotNeeded = "reference-not-needed";

    /// <summary><c>steps.x.outputs.y</c> where step <c>x</c>'s descriptor has no output <c>y</c>.</summary>
    public const string UnknownOutput = "unknown-output";

    /// <summary>A reference that reads nothing the scope has (<c>steps.x.foo</c>, <c>run.bar</c>, <c>alert</c> outside a webhook).</summary>
    public const string InvalidReference = "invalid-reference";

    /// <summary><c>item</c> or <c>index</c> outside the <c>with</c> of a foreach step.</summary>
    public const string ItemOutsideForeach = "item-outside-foreach";

    public const string InvalidCron = "invalid-cron";

    public const string UnknownTimeZone = "unknown-time-zone";

    public const string InvalidRetryAttempts = "invalid-retry-attempts";

    public const string InvalidBackoff = "invalid-backoff";

    public const string InvalidTimeout = "invalid-timeout";

    public const string InvalidMaxParallel = "invalid-max-parallel";

    public const string InvalidForeach = "invalid-foreach";

    public const string UnknownWebhookSource = "unknown-webhook-source";

    public const string WebhookWithoutAlerts = "webhook-without-alerts";
}
