namespace Analytics.Storage.Testing;

/// <summary>
/// Each capability of <see cref="StoreCapabilities"/> that has a suite, with its suite (an open generic type).
/// <see cref="StoreCapabilities.Leadership"/> has none: electing one of several instances needs several processes
/// sharing one database, which a store's own tests set up.
/// </summary>
internal static class CapabilitySuites
{
    public static IReadOnlyList<(string Name, Type Suite, Func<StoreCapabilities, object?> Declared)> All { get; } =
    [
        ("Errors", typeof(ErrorStoreConformanceTests<>), static c => c.Errors),
        ("Alerts", typeof(AlertStoreConformanceTests<>), static c => c.Alerts),
        ("Webhooks", typeof(WebhookStoreConformanceTests<>), static c => c.Webhooks),
        ("HealthMetrics", typeof(HealthMetricsStoreConformanceTests<>), static c => c.HealthMetrics),
        ("RequestCounts", typeof(RequestCountStoreConformanceTests<>), static c => c.RequestCounts),
        ("Consumers", typeof(ConsumerStoreConformanceTests<>), static c => c.Consumers),
        ("Uptime", typeof(UptimeStoreConformanceTests<>), static c => c.Uptime),
        ("RawAhead", typeof(RawAheadStoreConformanceTests<>), static c => c.RawAhead),
    ];

    /// <summary>
    /// Gets how a closed suite type is written in C#, for messages:
    /// <c>ErrorStoreConformanceTests&lt;MyStoreFactory&gt;</c>.
    /// </summary>
    public static string Display(Type suite, Type factory) =>
        $"{suite.Name[..suite.Name.IndexOf('`', StringComparison.Ordinal)]}<{factory.Name}>";
}
