using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Analytics.Storage.Testing;

/// <summary>
/// What every conformance suite shares: a fresh store for each test, made by a new <typeparamref name="TFactory"/>,
/// initialized before the test and disposed after it; and the real <see cref="IAnalyticsQueries"/> over it.
/// </summary>
/// <typeparam name="TFactory">Creates the store under test; one instance per test.</typeparam>
public abstract class StoreConformanceTestBase<TFactory> : IAsyncLifetime
    where TFactory : IConformanceStoreFactory, new()
{
    private readonly List<ServiceProvider> _services = [];
    private TFactory? _factory;
    private IAnalyticsStore? _store;

    /// <summary>Gets the store under test, fresh and empty for each test.</summary>
    protected IAnalyticsStore Store =>
        _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>Gets the factory that created <see cref="Store"/>.</summary>
    protected TFactory Factory =>
        _factory ?? throw new InvalidOperationException("The factory is created in InitializeAsync.");

    /// <summary>
    /// Creates the factory and the store, and initializes the store (<see cref="IAnalyticsStore.InitializeAsync"/>).
    /// </summary>
    /// <returns>A task that completes once the store is ready.</returns>
    public virtual async Task InitializeAsync()
    {
        _factory = new TFactory();
        _store = await _factory.CreateStoreAsync()
            ?? throw new InvalidOperationException($"{typeof(TFactory).Name}.CreateStoreAsync returned no store.");
        await _store.InitializeAsync(default);
    }

    /// <summary>
    /// Disposes the services the queries were resolved from, then the store when it is disposable, then the factory.
    /// </summary>
    /// <returns>A task that completes once everything is disposed.</returns>
    public virtual async Task DisposeAsync()
    {
        foreach (var services in _services)
        {
            await services.DisposeAsync();
        }

        switch (_store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }

        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }

    /// <summary>
    /// Gets the queries an app asks, over <see cref="Store"/>, at a fixed "now": resolved from
    /// <c>AddRequestAnalytics()</c> with the store registered in place of the default one, as an app that uses the
    /// store gets them, so every store answers the public questions through the same code.
    /// </summary>
    /// <param name="now">What the queries take the current time to be.</param>
    /// <returns>The queries.</returns>
    protected IAnalyticsQueries Queries(DateTimeOffset now)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddRequestAnalytics();

        // Instances, so that disposing the services disposes neither the store nor the clock.
        services.Replace(ServiceDescriptor.Singleton(Store));
        services.Replace(ServiceDescriptor.Singleton<TimeProvider>(new FixedTimeProvider(now)));
        var provider = services.BuildServiceProvider();
        _services.Add(provider);
        return provider.GetRequiredService<IAnalyticsQueries>();
    }

    /// <summary>Gets a capability the store declares, failing the test with what to do when it declares none.</summary>
    private protected T Declared<T>(Func<StoreCapabilities, T?> capability, string name)
        where T : class
    {
        var declared = capability(Store.Capabilities ?? StoreCapabilities.None);
        Assert.True(
            declared is not null,
            $"{Store.GetType().Name} runs the {name} suite but its Capabilities declare no {name}: declare it "
            + $"(for example Capabilities => new() {{ {name} = this }}), or do not derive from this suite.");
        return declared;
    }

    /// <summary>A clock that always answers the same time.</summary>
    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
