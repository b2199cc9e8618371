using Microsoft.Extensions.Logging;

namespace Analytics.Pipeline;

/// <summary>
/// Logs from the pipeline's paths that must not fail: the request path (drops, capture failures) and the writer's
/// loop. The logger rethrows its providers' exceptions; one that escaped there would break a request or a <c>Track</c>
/// call, or stop the writer with records still queued, or be taken for a failed write and write a batch twice.
/// </summary>
internal static class GuardedLog
{
    public static void Write<TState>(ILogger logger, Action<ILogger, TState> log, TState state)
    {
        try
        {
            log(logger, state);
        }
        catch (Exception)
        {
            // A broken logging provider: nothing else to tell it to.
        }
    }
}
