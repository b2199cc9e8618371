namespace Analytics.Storage.Testing;

/// <summary>
/// Creates the store one conformance test runs against, and removes what it made for it. Every suite creates a new
/// factory for each test (with its parameterless constructor), so a factory can hold what belongs to one test: a
/// temporary folder, a database schema, a container.
/// </summary>
/// <example>
/// A store kept in one file, a fresh folder per test:
/// <code>
/// public sealed class MyStoreFactory : IConformanceStoreFactory
/// {
///     private readonly string _folder = Directory.CreateTempSubdirectory().FullName;
///
///     public Task&lt;IAnalyticsStore&gt; CreateStoreAsync() =&gt;
///         Task.FromResult&lt;IAnalyticsStore&gt;(new MyStore(Path.Combine(_folder, "analytics.db")));
///
///     public ValueTask DisposeAsync()
///     {
///         Directory.Delete(_folder, recursive: true);
///         return ValueTask.CompletedTask;
///     }
/// }
/// </code>
/// </example>
public interface IConformanceStoreFactory : IAsyncDisposable
{
    /// <summary>
    /// Creates a new, empty store. Called once per factory, before the test; the suite then calls
    /// <see cref="IAnalyticsStore.InitializeAsync"/>. After the test the suite disposes the store (when it is
    /// <see cref="IAsyncDisposable"/> or <see cref="IDisposable"/>) and then this factory.
    /// </summary>
    /// <returns>The store under test.</returns>
    Task<IAnalyticsStore> CreateStoreAsync();
}
