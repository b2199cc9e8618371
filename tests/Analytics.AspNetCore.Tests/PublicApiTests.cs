using Analytics.Storage;
using PublicApiGenerator;

namespace Analytics.AspNetCore.Tests;

/// <summary>
/// Pins the public surface of each package to <c>PublicApi/&lt;Assembly&gt;.approved.txt</c>, written by PublicApiGenerator
/// as C# declarations (nullability, attributes, generic constraints, records, <c>required</c> and <c>init</c> included),
/// so any change to it shows up as a diff in review. On a mismatch the test writes <c>&lt;Assembly&gt;.received.txt</c>
/// beside the approved file and fails; rename it over the approved file once the change is intended.
/// </summary>
public class PublicApiTests
{
    private static readonly ApiGeneratorOptions Options = new()
    {
        // The defaults leave out types in System.* and Microsoft.* namespaces, which is where the packages put their
        // registration extensions (Microsoft.Extensions.DependencyInjection, Microsoft.AspNetCore.Builder, ...):
        // everything an assembly exports is its API, whatever the namespace.
        DenyNamespacePrefixes = [],
        // Whether a type is a record (with-expressions, value equality) is part of its contract.
        TreatRecordsAsClasses = false,
        // Assembly attributes that describe the build, not the API; other assembly attributes stay in.
        ExcludeAttributes =
        [
            // The target framework: moves with every TFM bump.
            "System.Runtime.Versioning.TargetFrameworkAttribute",
            // MSBuild properties stamped in by the SDK (IsAotCompatible, IsTrimmable, RepositoryUrl).
            "System.Reflection.AssemblyMetadataAttribute",
            // The project's own test and benchmark assemblies, which no consumer can be.
            "System.Runtime.CompilerServices.InternalsVisibleToAttribute",
        ],
    };

    [Theory]
    [InlineData("Analytics.Core", typeof(IAnalyticsStore))]
    [InlineData("Analytics.Sqlite", typeof(Microsoft.Extensions.DependencyInjection.SqliteRequestAnalyticsBuilderExtensions))]
    [InlineData("Analytics.AspNetCore", typeof(Microsoft.Extensions.DependencyInjection.RequestAnalyticsServiceCollectionExtensions))]
    [InlineData("Analytics.PostgreSql", typeof(Microsoft.Extensions.DependencyInjection.PostgreSqlRequestAnalyticsBuilderExtensions))]
    [InlineData("Analytics.Storage.Testing", typeof(Analytics.Storage.Testing.IConformanceStoreFactory))]
    public void ThePublicApiMatchesTheApprovedFile(string assemblyName, Type anyType)
    {
        var assembly = anyType.Assembly;
        Assert.Equal(assemblyName, assembly.GetName().Name);
        // Line endings are made "\n" by Approvals (the generator writes Environment.NewLine); the generator ends without
        // one, and the file gets one, so an editor that adds a final newline does not make a difference.
        var api = assembly.GeneratePublicApi(Options).ReplaceLineEndings("\n").TrimEnd('\n') + "\n";
        Approvals.Verify(Path.Combine("PublicApi", assemblyName), api, $"The public API of {assemblyName}");
    }
}
