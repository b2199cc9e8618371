using System.Diagnostics;

namespace Analytics.Telemetry;

/// <summary>
/// The spans of the library's background work, on the source named <see cref="AnalyticsTelemetry.ActivitySourceName"/>.
/// Listeners run inside <c>Start</c>, <c>AddException</c> and <c>Stop</c>, on the caller's thread: as with the meter's
/// listeners, one that throws must not reach the writer (which would take it for a failed write and write the batch
/// again), the dispatcher or the evaluator. So every call that may reach a listener is guarded here.
/// </summary>
internal static class AnalyticsActivities
{
    public const string BatchWrite = "analytics.batch.write";
    public const string WebhookDeliver = "analytics.webhook.deliver";
    public const string AlertEvaluate = "analytics.alert.evaluate";

    public static readonly ActivitySource Source = new(
        AnalyticsTelemetry.ActivitySourceName, typeof(AnalyticsActivities).Assembly.GetName().Version?.ToString(3));

    /// <summary>Starts a span under <see cref="Activity.Current"/>; <see langword="null"/> (and nothing allocated) when nothing listens.</summary>
    public static Activity? Start(string name)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var current = Activity.Current;
        try
        {
            return Source.StartActivity(name, ActivityKind.Internal);
        }
        catch (Exception)
        {
            Activity.Current = current; // a listener threw after the span became current: it is not ours to keep
            return null;
        }
    }

    /// <summary>Marks the span failed: status Error, <c>error.type</c>, and the exception as an event.</summary>
    public static void Fail(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        Fail(activity, exception.GetType().FullName ?? exception.GetType().Name, exception.Message);
        try
        {
            activity.AddException(exception);
        }
        catch (Exception)
        {
            // A listener's exception recorder threw: the span keeps its status and error.type.
        }
    }

    /// <summary>Marks the span failed without an exception: status Error and <c>error.type</c>.</summary>
    public static void Fail(Activity? activity, string errorType, string? description = null)
    {
        activity?.SetStatus(ActivityStatusCode.Error, description).SetTag(TelemetryAttributes.ErrorType, errorType);
    }

    /// <summary>Ends the span, if any.</summary>
    public static void Stop(Activity? activity)
    {
        if (activity is null)
        {
            return;
        }

        try
        {
            activity.Stop();
        }
        catch (Exception)
        {
            if (Activity.Current == activity)
            {
                Activity.Current = activity.Parent; // a listener threw before the span stopped being current
            }
        }
    }
}
