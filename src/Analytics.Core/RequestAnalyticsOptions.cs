using Analytics.Alerts;
using Analytics.Webhooks;

namespace Analytics;

/// <summary>
/// Options of the request analytics pipeline, bound from the configuration section <c>RequestAnalytics</c> and then
/// from the delegate passed to <c>AddRequestAnalytics</c>. Every value is validated when the host starts.
/// </summary>
public sealed class RequestAnalyticsOptions
{
    /// <summary>
    /// Gets or sets the most records waiting to be written. A full queue drops new records and counts them, it never
    /// blocks a request. Must be between 1 and 16 777 216. The default is 65 536.
    /// </summary>
    public int QueueCapacity { get; set; } = RequestAnalyticsDefaults.QueueCapacity;

    /// <summary>
    /// Gets or sets the most raw rows and events written in one store transaction. Must be between 1 and
    /// <see cref="QueueCapacity"/>. The default is 2 000. Requests sampled out of the raw rows (see
    /// <see cref="RawSampleRate"/>) only add to the rollups, so they do not count: such a transaction holds at most
    /// <see cref="QueueCapacity"/> of them, and usually what arrived within one <see cref="FlushInterval"/>.
    /// </summary>
    public int BatchSize { get; set; } = RequestAnalyticsDefaults.BatchSize;

    /// <summary>
    /// Gets or sets the longest a record waits in the queue before its batch is written, even when the batch is not
    /// full. Must be between 1 millisecond and 1 hour. The default is 1 second.
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = RequestAnalyticsDefaults.FlushInterval;

    /// <summary>
    /// Gets the path prefixes that are not recorded, matched by whole segments and ignoring case. The endpoints mapped by
    /// <c>MapRequestAnalytics</c> are never recorded whatever this holds. The default is <c>/health</c> and <c>/favicon.ico</c>.
    /// </summary>
    public IList<string> ExcludePaths { get; } = [.. RequestAnalyticsDefaults.ExcludePaths];

    /// <summary>Gets or sets whether the query string is kept in the stored path. The default is <see langword="false"/>.</summary>
    public bool CaptureQueryString { get; set; } = RequestAnalyticsDefaults.CaptureQueryString;

    /// <summary>
    /// Gets or sets the share of requests also kept as raw rows, from 0 (rollups only) to 1 (every request).
    /// Rollups always count every request, and failed requests are always kept raw (they are an error group's
    /// occurrences). The default is 1.
    /// </summary>
    public double RawSampleRate { get; set; } = RequestAnalyticsDefaults.RawSampleRate;

    /// <summary>
    /// Gets or sets how serious a failed request is, for its error group. The default (<see langword="null"/>) rates an
    /// unhandled exception <see cref="ErrorSeverity.High"/> and any other 5xx <see cref="ErrorSeverity.Medium"/>. Runs on
    /// the background writer, once per failed request; if it throws, the default applies.
    /// </summary>
    public Func<RequestRecord, ErrorSeverity>? ClassifyError { get; set; }

    /// <summary>
    /// Gets or sets whether client addresses are anonymized before they are stored: the last octet of an IPv4 address
    /// and the last 80 bits of an IPv6 address are zeroed. The default is <see langword="true"/>.
    /// </summary>
    public bool AnonymizeClientIp { get; set; } = RequestAnalyticsDefaults.AnonymizeClientIp;

    /// <summary>
    /// Gets the claim types tried, in order, for the user id recorded with a request. The default is <c>sub</c>, then
    /// <see cref="System.Security.Claims.ClaimTypes.NameIdentifier"/>.
    /// </summary>
    public IList<string> UserIdClaim { get; } = [.. RequestAnalyticsDefaults.UserIdClaims];

    /// <summary>Gets how long each kind of data is kept.</summary>
    public RetentionOptions Retention { get; } = new();

    /// <summary>
    /// Gets or sets whether callers that are not on the loopback interface may reach the analytics endpoints when the
    /// host attached no authorization to them. The default is <see langword="false"/>.
    /// </summary>
    public bool AllowRemoteAccess { get; set; } = RequestAnalyticsDefaults.AllowRemoteAccess;

    /// <summary>
    /// Gets the keys accepted in the <c>X-Analytics-Key</c> header by <c>POST {prefix}/api/events</c>, for services and
    /// browsers that post events without the group's authorization. Empty by default.
    /// </summary>
    public IList<string> IngestKeys { get; } = [];

    /// <summary>
    /// Gets more ingest keys, each under a consumer name (name → key): accepted like <see cref="IngestKeys"/>, and the
    /// events posted with one are recorded with its name as their consumer. Empty by default.
    /// </summary>
    public IDictionary<string, string> NamedIngestKeys { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets the request header that names the API consumer (for example <c>X-Client-Id</c>), or
    /// <see langword="null"/> for none. The first non-empty of this header, <see cref="ConsumerClaim"/> and the host's
    /// resolver (<c>ResolveConsumer</c>) is recorded, cut to 100 characters. The default is <see langword="null"/>.
    /// </summary>
    public string? ConsumerHeader { get; set; }

    /// <summary>
    /// Gets or sets the claim of the authenticated user that names the API consumer (for example <c>client_id</c>), or
    /// <see langword="null"/> for none. Tried after <see cref="ConsumerHeader"/>. The default is <see langword="null"/>.
    /// </summary>
    public string? ConsumerClaim { get; set; }

    /// <summary>
    /// Gets or sets the most distinct consumers kept per rollup bucket by each instance; the requests of any further
    /// consumer are counted under <c>(other)</c> (and as dropped consumer names in the metrics). Raw rows keep every
    /// consumer name. Must be between 1 and 100 000. The default is 1 000.
    /// </summary>
    public int MaxConsumersPerBucket { get; set; } = RequestAnalyticsDefaults.MaxConsumersPerBucket;

    /// <summary>
    /// Gets or sets the release (application version) recorded with every request and event, so that releases can be
    /// compared. When unset, the entry assembly's informational version is used (without a <c>+commit</c> suffix), else
    /// <c>unknown</c>. At most 100 characters.
    /// </summary>
    public string? Release { get; set; }

    /// <summary>
    /// Gets or sets how often the live stream sends a <c>stats</c> event. Must be between 1 second and 1 hour. The
    /// default is 5 seconds.
    /// </summary>
    public TimeSpan StatsInterval { get; set; } = RequestAnalyticsDefaults.StatsInterval;

    /// <summary>
    /// Gets or sets how often the process's health (CPU, memory, GC, thread pool) is sampled into the
    /// <c>health-metrics</c> rollups. Must be between 1 second and 1 hour. The default is 5 seconds.
    /// </summary>
    public TimeSpan HealthInterval { get; set; } = RequestAnalyticsDefaults.HealthInterval;

    /// <summary>
    /// Gets or sets the most live-stream connections at once; more are answered 503. Must be between 1 and 10 000. The
    /// default is 100.
    /// </summary>
    public int MaxStreamSubscribers { get; set; } = RequestAnalyticsDefaults.MaxStreamSubscribers;

    /// <summary>
    /// Gets or sets the most bytes of messages queued for one live-stream connection, counted as their serialized JSON;
    /// past it a connection that does not keep up loses its oldest messages, and is told how many. Must be between
    /// 65 536 (64 KiB) and 1 073 741 824 (1 GiB). The default is 4 194 304 (4 MiB): a queue of 4 096 ordinary request
    /// messages (~600 bytes each) fits, so the bound only binds on large custom events, 64 of 64 KB, which is what keeps a
    /// client that never reads from pinning its queue's worth of them.
    /// </summary>
    public long MaxStreamBufferBytes { get; set; } = RequestAnalyticsDefaults.MaxStreamBufferBytes;

    /// <summary>
    /// Gets or sets the most bytes of messages queued for all live-stream connections together; past it the connections
    /// furthest behind lose their oldest messages first. A message queued for several connections is shared in memory but
    /// counts in each queue, so the memory held is at most this and usually much less. Must be between
    /// <see cref="MaxStreamBufferBytes"/> and 17 179 869 184 (16 GiB). The default is 67 108 864 (64 MiB): sixteen
    /// connections at their full bound, however many <see cref="MaxStreamSubscribers"/> allows.
    /// </summary>
    public long MaxStreamTotalBufferBytes { get; set; } = RequestAnalyticsDefaults.MaxStreamTotalBufferBytes;

    /// <summary>
    /// Gets or sets how long one live-stream connection lasts before it is closed with a retry hint. Must be between 1
    /// second and 1 day. The default is 1 hour.
    /// </summary>
    public TimeSpan MaxStreamDuration { get; set; } = RequestAnalyticsDefaults.MaxStreamDuration;

    /// <summary>
    /// Gets or sets how often the live stream sends a <c>ping</c> event, so that proxies do not close an idle connection and
    /// clients notice a dead one. Must be between 1 second and 1 hour. The default is 15 seconds.
    /// </summary>
    public TimeSpan StreamPingInterval { get; set; } = RequestAnalyticsDefaults.StreamPingInterval;

    /// <summary>Gets the webhook options: subscriptions declared in configuration, and where deliveries may go.</summary>
    public WebhookOptions Webhooks { get; } = new();

    /// <summary>
    /// Gets the alert rules declared in configuration. Rules can also be created through <c>{prefix}/api/alerts</c>.
    /// Empty by default.
    /// </summary>
    public IList<AlertRuleOptions> Alerts { get; } = [];

    /// <summary>Gets or sets how often alert rules are evaluated. Must be between 1 second and 1 hour. The default is 30 seconds.</summary>
    public TimeSpan AlertInterval { get; set; } = RequestAnalyticsDefaults.AlertInterval;

    /// <summary>
    /// Gets or sets the Apdex threshold T: a request within T is satisfied, within 4T tolerated, slower (or failed)
    /// frustrated. From 1 ms to 1 minute; an objective in <see cref="Slos"/> may override it for its route. The default is 500 ms.
    /// </summary>
    public TimeSpan ApdexThreshold { get; set; } = RequestAnalyticsDefaults.ApdexThreshold;

    /// <summary>
    /// Gets the service-level objectives, shown by <c>{prefix}/api/slos</c> and the dashboard, each with burn-rate alert
    /// rules unless it opts out. Empty by default.
    /// </summary>
    public IList<ServiceLevels.SloOptions> Slos { get; } = [];

    /// <summary>
    /// Gets or sets how many unhealthy health-check reports in a row open an uptime incident, and how many healthy ones
    /// close it, so that a single blip is not an incident. From 1 to 100. The default is 2.
    /// </summary>
    public int UptimeFailureThreshold { get; set; } = RequestAnalyticsDefaults.UptimeFailureThreshold;

    /// <summary>
    /// Gets or sets the absolute http or https URL the dashboard is reached at by the people alerts go to (for example
    /// <c>https://api.example.com/analytics</c>), which Slack, Teams and Discord messages link to. When unset, the links
    /// are relative to the dashboard's path.
    /// </summary>
    public Uri? DashboardUrl { get; set; }

    /// <summary>
    /// Gets or sets the environment name recorded with every request and event, so that one shared store can tell
    /// environments apart. When unset, the host's environment name is used.
    /// </summary>
    public string? EnvironmentName { get; set; }

    /// <summary>
    /// Gets or sets the instance name recorded with every request and event, so that one shared store can tell
    /// instances apart. When unset, the machine name is used.
    /// </summary>
    public string? InstanceName { get; set; }
}
