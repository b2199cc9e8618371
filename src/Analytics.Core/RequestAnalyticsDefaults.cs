namespace Analytics;

/// <summary>The default value of every option, in one place so the XML docs, the validator and the README agree.</summary>
internal static class RequestAnalyticsDefaults
{
    public const string ConfigurationSection = "RequestAnalytics";

    // 65 536 records of ~150 bytes is ~10 MB at worst: enough to ride out a store stall of several seconds at
    // thousands of requests per second, small enough that a stalled store cannot grow the process without bound.
    public const int QueueCapacity = 65_536;

    // SQLite commits cost ~1 ms of fsync-free WAL work; 2 000 rows amortise it to noise while keeping one
    // transaction (and so the write lock) well under 100 ms.
    public const int BatchSize = 2_000;

    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);
    public const bool CaptureQueryString = false;
    public const double RawSampleRate = 1.0;
    public const bool AnonymizeClientIp = true;
    public const bool AllowRemoteAccess = false;

    public static readonly string[] ExcludePaths = ["/health", "/favicon.ico"];
    public static readonly string[] UserIdClaims = ["sub", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier"];

    public static readonly TimeSpan RawRetention = TimeSpan.FromDays(7);
    public static readonly TimeSpan MinuteRetention = TimeSpan.FromDays(7);
    public static readonly TimeSpan HourRetention = TimeSpan.FromDays(90);
    public static readonly TimeSpan DayRetention = TimeSpan.FromDays(400);

    public static readonly TimeSpan StatsInterval = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan HealthInterval = TimeSpan.FromSeconds(5);
    public const int MaxStreamSubscribers = 100;
    public static readonly TimeSpan MaxStreamDuration = TimeSpan.FromHours(1);
    public static readonly TimeSpan StreamPingInterval = TimeSpan.FromSeconds(15);

    // Live stream buffers. The replay ring keeps the last 1 024 request and event messages for reconnects (about
    // 200 KB); a subscriber's queue holds 4 096, so a whole batch fits while its reader catches up, and the oldest are
    // dropped when a reader stalls. Request events are capped per subscriber: a browser cannot show more than a few
    // hundred rows a second, and the cap keeps a busy API from sending megabytes a second to every dashboard.
    public const int StreamReplayCapacity = 1_024;
    public const int StreamSubscriberCapacity = 4_096;
    public const int StreamRequestsPerSecond = 200;

    // The same buffers in bytes, counted as each message's serialized JSON, for the messages that are large: 4 096 request
    // messages of ~600 bytes fill a connection's queue at ~2.5 MB, so 4 MiB only binds on large custom events (64 of
    // 64 KB), which without it pinned ~4 096 × their size for each stalled reader. The queues together stop at 64 MiB:
    // 16 stalled readers at their full bound, whatever MaxStreamSubscribers allows. The replay ring keeps 1 MiB, all of
    // 1 024 ordinary messages, and stays that size for as long as a reconnect may come.
    public const long MaxStreamBufferBytes = 4 * 1024 * 1024;
    public const long MaxStreamTotalBufferBytes = 64 * 1024 * 1024;
    public const long StreamReplayBytes = 1024 * 1024;

    public const bool WebhookAllowPrivateNetworks = false;
    public const int WebhookMaxRequestFailedPerMinute = 60;

    // A quarter of the dispatcher's 16 delivery slots (WebhookDeliveryPolicy.MaxConcurrency): a receiver that never answers
    // holds at most these, and three such receivers at once still leave the others a quarter of the slots.
    public const int WebhookMaxConcurrentDeliveriesPerSubscription = 4;

    // Alerts read whole minutes of rollups; 30 s notices a crossing within half a minute of the minute closing,
    // at the cost of two small rollup reads per rule per minute.
    public static readonly TimeSpan AlertInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan AlertWindow = TimeSpan.FromMinutes(5);

    // Apdex's customary T for an API; an objective may set its route's own.
    public static readonly TimeSpan ApdexThreshold = TimeSpan.FromMilliseconds(500);

    // The SRE workbook's window for objectives and the burn rates its alerting chapter derives from it.
    public static readonly TimeSpan SloWindow = TimeSpan.FromDays(30);

    // Two failed reports in a row (a minute at the publisher's default 30 s period) open an incident: one is a blip.
    public const int UptimeFailureThreshold = 2;

    public const string SqliteFileName = "analytics.db";

    /// <summary>Route recorded when no endpoint matched: one bucket, never the raw path, so 404 scans cannot explode cardinality.</summary>
    public const string UnmatchedRoute = "(unmatched)";

    // A bucket's thousand-and-first consumer and every one after it count as OtherConsumer: a per-consumer rollup row
    // per consumer per route and status is what a bucket costs, and a client-chosen header must not make it unbounded.
    public const int MaxConsumersPerBucket = 1_000;
    public const string OtherConsumer = "(other)";
    public const int MaxConsumerLength = 100;
    public const int MaxReleaseLength = 100;
    public const string UnknownRelease = "unknown";

    public const int MaxEventNameLength = 100;
    public const int MaxExceptionMessageLength = 1_000;
}
