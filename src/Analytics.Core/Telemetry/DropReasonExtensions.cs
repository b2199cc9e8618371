namespace Analytics.Telemetry;

internal static class DropReasonExtensions
{
    public static string ToTagValue(this DropReason reason) => reason switch
    {
        DropReason.QueueFull => "queue_full",
        DropReason.Stopped => "stopped",
        DropReason.CaptureFailed => "capture_failed",
        _ => "store_failed",
    };
}
