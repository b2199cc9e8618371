namespace Analytics.Storage.Testing;

/// <summary>
/// The store's declared capabilities against the capability suites its tests run: declaring a capability promises
/// what its suite checks, so a declared capability whose suite is not run fails here, and so does a suite run for a
/// capability the store does not declare.
/// </summary>
public abstract partial class AnalyticsStoreConformanceTests<TFactory>
{
    /// <summary>
    /// Every capability the store declares has its suite derived, for the same factory, by a public class in this test
    /// assembly, and every capability suite derived there is declared. (<see cref="StoreCapabilities.Leadership"/> has
    /// no suite and is not checked.)
    /// </summary>
    [Fact]
    public void EveryDeclaredCapabilityRunsItsSuiteAndNoOtherSuiteRuns()
    {
        var capabilities = Store.Capabilities ?? StoreCapabilities.None;
        var testClasses = GetType().Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, IsVisible: true, ContainsGenericParameters: false })
            .ToList();

        var assembly = GetType().Assembly.GetName().Name;
        var problems = new List<string>();
        foreach (var (name, openSuite, declared) in CapabilitySuites.All)
        {
            var suite = openSuite.MakeGenericType(typeof(TFactory));
            var runs = testClasses.Where(suite.IsAssignableFrom).Select(t => t.FullName).ToList();
            bool isDeclared = declared(capabilities) is not null;
            if (isDeclared && runs.Count == 0)
            {
                problems.Add($"{name} is declared, but no public class in {assembly} derives from "
                    + $"{CapabilitySuites.Display(openSuite, typeof(TFactory))}: add one, so that its suite runs.");
            }
            else if (!isDeclared && runs.Count > 0)
            {
                problems.Add($"{string.Join(", ", runs)} runs the {name} suite, "
                    + $"but {Store.GetType().Name}.Capabilities do not declare {name}.");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}
