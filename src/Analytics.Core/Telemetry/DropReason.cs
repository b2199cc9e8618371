namespace Analytics.Telemetry;

/// <summary>Why records were lost.</summary>
internal enum DropReason
{
    QueueFull,
    Stopped,
    StoreFailed,
    CaptureFailed,
}
