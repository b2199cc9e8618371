using Microsoft.Extensions.Logging;

namespace Analytics.Health;

internal sealed partial class HealthSampler
{
    [LoggerMessage(EventId = 70, EventName = "HealthSampleFailed", Level = LogLevel.Warning,
        Message = "Request analytics could not store a process-health sample; the next one will be tried as usual.")]
    private partial void LogSampleFailed(Exception exception);
}
