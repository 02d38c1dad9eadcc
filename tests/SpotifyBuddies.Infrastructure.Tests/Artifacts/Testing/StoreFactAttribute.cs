using Xunit.Abstractions;
using Xunit.Sdk;

namespace SpotifyBuddies.Infrastructure.Tests.Artifacts.Testing;

/// <summary>
/// A fact of a behavioural suite that an abstract base class shares with several stores. It runs once per concrete
/// test class, and is skipped (or fails in CI) like an <see cref="S3FactAttribute"/> fact when that class carries
/// <see cref="RequiresS3Attribute"/> — which a plain attribute on the base method cannot know.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("SpotifyBuddies.Infrastructure.Tests.Artifacts.Testing.StoreFactDiscoverer", "SpotifyBuddies.Infrastructure.Tests")]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>Marks a test class whose <see cref="StoreFactAttribute"/> facts need an S3 server.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresS3Attribute : Attribute;

/// <summary>Discovers <see cref="StoreFactAttribute"/> facts, skipping them for a <see cref="RequiresS3Attribute"/> class without S3.</summary>
public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var needsS3 = testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresS3Attribute).AssemblyQualifiedName).Any();
        var reason = needsS3 ? TestS3.SkipReason(TestS3.Endpoint, Environment.GetEnvironmentVariable("CI")) : null;
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
