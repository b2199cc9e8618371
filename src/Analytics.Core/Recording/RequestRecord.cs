namespace Analytics;

/// <summary>
/// One recorded HTTP request, as the middleware captured it. A value type so that queuing it allocates nothing: the only
/// allocations are the strings it must keep.
/// </summary>
public readonly record struct RequestRecord
{
    /// <summary>Gets when the request started, in UTC.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the HTTP method, for example <c>GET</c>.</summary>
    public required string Method { get; init; }

    /// <summary>
    /// Gets the route template of the endpoint that handled the request (for example <c>/items/{id}</c>), or
    /// <c>(unmatched)</c> when no endpoint matched. This, never the raw path, is the grouping key.
    /// </summary>
    public required string Route { get; init; }

    /// <summary>Gets the request path, without the query string unless <see cref="RequestAnalyticsOptions.CaptureQueryString"/> is set.</summary>
    public required string Path { get; init; }

    /// <summary>Gets the response status code; 500 when the pipeline threw.</summary>
    public required int StatusCode { get; init; }

    /// <summary>Gets how long the request took inside the application, from the middleware's start to its end.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Gets the request body size in bytes, from <c>Content-Length</c>; 0 when the request declared none.</summary>
    public long RequestBytes { get; init; }

    /// <summary>Gets the response body size in bytes: <c>Content-Length</c> when set, otherwise the bytes written.</summary>
    public long ResponseBytes { get; init; }

    /// <summary>Gets the client address (anonymized unless disabled), or <see langword="null"/> when unknown.</summary>
    public string? ClientIp { get; init; }

    /// <summary>Gets the <c>User-Agent</c> header, or <see langword="null"/>.</summary>
    public string? UserAgent { get; init; }

    /// <summary>Gets the HTTP protocol, for example <c>HTTP/1.1</c>, <c>HTTP/2</c> or <c>HTTP/3</c>.</summary>
    public string? Protocol { get; init; }

    /// <summary>
    /// Gets what kind of request this was: plain HTTP, a WebSocket upgrade, a gRPC call or a Server-Sent Events response.
    /// WebSocket and Server-Sent Events requests are long-lived: their duration is a connection's lifetime, so latency
    /// percentiles and averages leave them out unless they are asked for by kind.
    /// </summary>
    public RequestKind Kind { get; init; }

    /// <summary>Gets the W3C trace id of <see cref="System.Diagnostics.Activity.Current"/>, or <see langword="null"/>.</summary>
    public string? TraceId { get; init; }

    /// <summary>Gets the authenticated user's id from the configured claim, or <see langword="null"/>.</summary>
    public string? UserId { get; init; }

    /// <summary>Gets the environment name of the host that served the request.</summary>
    public string? Environment { get; init; }

    /// <summary>Gets the instance name of the host that served the request.</summary>
    public string? Instance { get; init; }

    /// <summary>
    /// Gets the release (application version) of the host that served the request, from
    /// <see cref="RequestAnalyticsOptions.Release"/>.
    /// </summary>
    public string? Release { get; init; }

    /// <summary>
    /// Gets who called: the API consumer named by <see cref="RequestAnalyticsOptions.ConsumerHeader"/>,
    /// <see cref="RequestAnalyticsOptions.ConsumerClaim"/> or the host's resolver (at most 100 characters), or
    /// <see langword="null"/> when none did.
    /// </summary>
    public string? Consumer { get; init; }

    /// <summary>Gets the full type name of the exception the pipeline threw, or <see langword="null"/>.</summary>
    public string? ExceptionType { get; init; }

    /// <summary>Gets the message of the exception the pipeline threw (at most 1 000 characters), or <see langword="null"/>.</summary>
    public string? ExceptionMessage { get; init; }

    /// <summary>
    /// Gets the stack trace of the exception the pipeline threw (and of its inner exceptions), without messages, query
    /// strings or header values, at most 4 000 characters; or <see langword="null"/>.
    /// </summary>
    public string? StackTrace { get; init; }

    /// <summary>
    /// Gets the error group of a failed request (16 hex digits): the exception type and the app's top frames, or the
    /// status, method and route when there was no exception. Filled in when the request is written, if not set.
    /// </summary>
    public string? ErrorFingerprint { get; init; }

    /// <summary>Gets whether the request counts as an error: a 5xx status or an exception.</summary>
    public bool IsError => StatusCode >= 500 || ExceptionType is not null;
}
