using Microsoft.Extensions.Logging;

namespace Analytics.Alerts;

internal sealed partial class AlertEvaluator
{
    [LoggerMessage(EventId = 60, EventName = "AlertTriggered", Level = LogLevel.Warning,
        Message = "Alert '{Rule}' triggered: {Metric} is {Value} ({Operator} {Threshold}) over the last {Window}.")]
    private static partial void LogTriggered(
        ILogger logger,
        string rule,
        string metric,
        double value,
        string @operator,
        double threshold,
        string window);

    [LoggerMessage(EventId = 61, EventName = "AlertResolved", Level = LogLevel.Information,
        Message = "Alert '{Rule}' resolved: {Metric} is back at {Value}.")]
    private static partial void LogResolved(ILogger logger, string rule, string metric, double value);

    [LoggerMessage(EventId = 62, EventName = "AlertEvaluationFailed", Level = LogLevel.Warning,
        Message = "Alert rules could not be evaluated; trying again at the next interval.")]
    private static partial void LogEvaluationFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 63, EventName = "AlertDeclaredIdTaken", Level = LogLevel.Warning,
        Message = "The alert rule '{Id}' declared in options is not used: a rule created through the API has that id.")]
    private static partial void LogDeclaredIdTaken(ILogger logger, string id);
}
