namespace Analytics;

/// <summary>One raw request as the request log shows it (and, without <see cref="Id"/>, as the live stream sends it).</summary>
public sealed record RequestLogEntry
{
    /// <summary>Gets the row id; 0, and left out of the JSON, for a request the live stream sends before it has one.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public required long Id { get; init; }

    /// <summary>Gets when the request started (UTC).</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Gets the HTTP method.</summary>
    public required string Method { get; init; }

    /// <summary>Gets the route template.</summary>
    public required string Route { get; init; }

    /// <summary>Gets the path (with the query string only when it was captured).</summary>
    public required string Path { get; init; }

    /// <summary>Gets the status code.</summary>
    public required int StatusCode { get; init; }

    /// <summary>Gets the duration in milliseconds.</summary>
    public required double Duration { get; init; }

    /// <summary>Gets the request body size in bytes.</summary>
    public long RequestBytes { get; init; }

    /// <summary>Gets the response body size in bytes.</summary>
    public long ResponseBytes { get; init; }

    /// <summary>Gets the client address (anonymized unless configured otherwise).</summary>
    public string? ClientIp { get; init; }

    /// <summary>Gets the user agent.</summary>
    public string? UserAgent { get; init; }

    /// <summary>Gets the protocol.</summary>
    public string? Protocol { get; init; }

    /// <summary>Gets what kind of request it was.</summary>
    public RequestKind Kind { get; init; }

    /// <summary>Gets the W3C trace id.</summary>
    public string? TraceId { get; init; }

    /// <summary>Gets the user id.</summary>
    public string? UserId { get; init; }

    /// <summary>Gets the environment.</summary>
    public string? Environment { get; init; }

    /// <summary>Gets the instance.</summary>
    public string? Instance { get; init; }

    /// <summary>Gets the API consumer that called (<see cref="RequestRecord.Consumer"/>), or <see langword="null"/>.</summary>
    public string? Consumer { get; init; }

    /// <summary>Gets the release that served the request (<see cref="RequestRecord.Release"/>), or <see langword="null"/>.</summary>
    public string? Release { get; init; }

    /// <summary>Gets the exception type, when the pipeline threw.</summary>
    public string? ExceptionType { get; init; }

    /// <summary>Gets the exception message, when the pipeline threw.</summary>
    public string? ExceptionMessage { get; init; }

    /// <summary>Describes a recorded request; <paramref name="id"/> is the store's row id, or 0 when it has none.</summary>
    internal static RequestLogEntry From(long id, in RequestRecord request) => new()
    {
        Id = id,
        Time = request.Timestamp,
        Method = request.Method,
        Route = request.Route,
        Path = request.Path,
        StatusCode = request.StatusCode,
        Duration = request.Duration.TotalMilliseconds,
        RequestBytes = request.RequestBytes,
        ResponseBytes = request.ResponseBytes,
        ClientIp = request.ClientIp,
        UserAgent = request.UserAgent,
        Protocol = request.Protocol,
        Kind = request.Kind,
        TraceId = request.TraceId,
        UserId = request.UserId,
        Environment = request.Environment,
        Instance = request.Instance,
        Consumer = request.Consumer,
        Release = request.Release,
        ExceptionType = request.ExceptionType,
        ExceptionMessage = request.ExceptionMessage,
    };
}
