using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Analytics.Storage;

namespace Analytics.Telemetry;

/// <summary>Why records were lost.</summary>
internal enum DropReason
{
    QueueFull,
    Stopped,
    StoreFailed,
    CaptureFailed,
}
