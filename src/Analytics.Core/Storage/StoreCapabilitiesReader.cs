using Microsoft.Extensions.Logging;

namespace Analytics.Storage;

/// <summary>
/// Reads the store's <see cref="StoreCapabilities"/> once, for every service that needs one, and says in the log which
/// features a missing capability turns off, so that a store without one is never silently a store without the feature.
/// </summary>
internal static partial class StoreCapabilitiesReader
{
    public static StoreCapabilities Read(IAnalyticsStore store, ILogger logger)
    {
        var capabilities = store.Capabilities ?? StoreCapabilities.None;
        try
        {
            Log(capabilities, store.GetType().Name, logger);
        }
        catch (Exception)
        {
            // A logging provider that throws must not keep the features that the store does support from starting.
        }

        return capabilities;
    }

    private static void Log(StoreCapabilities capabilities, string name, ILogger logger)
    {
        if (capabilities.Errors is null)
        {
            LogMissing(logger, name, nameof(IErrorStore), "error groups show counts only: they cannot be resolved and have no occurrences");
        }

        if (capabilities.Alerts is null)
        {
            LogMissing(logger, name, nameof(IAlertStore), "alerts are off");
        }

        if (capabilities.Webhooks is null)
        {
            LogMissing(logger, name, nameof(IWebhookStore), "webhooks are off");
        }

        if (capabilities.HealthMetrics is null)
        {
            LogMissing(logger, name, nameof(IHealthMetricsStore), "process health metrics are not kept");
        }

        // Neither missing one turns a feature off: counts are added up from rollup rows instead, and a store without
        // leadership belongs to one process, which does the once-per-cluster work itself. Logged at Debug.
        if (capabilities.RequestCounts is null)
        {
            LogMissingOptional(logger, name, nameof(IRequestCountStore), "the heatmap, status codes and endpoint last-seen times add up rollup rows");
        }

        if (capabilities.RawAhead is null)
        {
            LogMissingOptional(logger, name, nameof(IRawAheadStore), "each batch's raw rows and rollups are written together");
        }

        if (capabilities.Leadership is null)
        {
            LogMissingOptional(logger, name, nameof(IClusterLeadership), "this instance evaluates alerts and purges data itself");
        }
    }

    [LoggerMessage(EventId = 80, EventName = "StoreCapabilityMissing", Level = LogLevel.Information,
        Message = "The analytics store {Store} does not support {Capability}: {Consequence}.")]
    private static partial void LogMissing(ILogger logger, string store, string capability, string consequence);

    [LoggerMessage(EventId = 81, EventName = "StoreCapabilityOptional", Level = LogLevel.Debug,
        Message = "The analytics store {Store} does not support {Capability}: {Consequence}.")]
    private static partial void LogMissingOptional(ILogger logger, string store, string capability, string consequence);
}
