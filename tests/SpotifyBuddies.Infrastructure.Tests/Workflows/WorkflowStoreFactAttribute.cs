using SpotifyBuddies.Infrastructure.Tests.Testing;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace SpotifyBuddies.Infrastructure.Tests.Workflows;

/// <summary>
/// A fact of <see cref="WorkflowRunStoreContract"/>, run once per concrete store class. For a class marked
/// <see cref="RequiresPostgresAttribute"/> it is skipped with a reason when <c>SPOTIFYBUDDIES_TEST_PG</c> is unset,
/// and runs (so fails) in CI — like a <see cref="PostgresFactAttribute"/> fact, which a plain attribute on the
/// inherited method cannot be.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("SpotifyBuddies.Infrastructure.Tests.Workflows.WorkflowStoreFactDiscoverer", "SpotifyBuddies.Infrastructure.Tests")]
public sealed class WorkflowStoreFactAttribute : FactAttribute;

/// <summary>Marks a test class whose <see cref="WorkflowStoreFactAttribute"/> facts need PostgreSQL.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgresAttribute : Attribute;

/// <summary>Discovers <see cref="WorkflowStoreFactAttribute"/> facts, skipping them for a <see cref="RequiresPostgresAttribute"/> class without PostgreSQL (outside CI).</summary>
public sealed class WorkflowStoreFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var needsPostgres = testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresPostgresAttribute).AssemblyQualifiedName).Any();
        var reason = needsPostgres ? TestPostgres.SkipReason(TestPostgres.ConnectionString, Environment.GetEnvironmentVariable("CI")) : null;
        if (reason is null)
        {
            return base.Discover(discoveryOptions, testMethod, factAttribute);
        }

        return
        [
            new XunitSkippedDataRowTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason),
        ];
    }
}
