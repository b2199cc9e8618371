namespace Analytics;

/// <summary>One failed request of an error group.</summary>
public sealed record ErrorOccurrence
{
    /// <summary>Gets the request's id in the request log.</summary>
    public required long Id { get; init; }

    /// <summary>Gets when the request started.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Gets the HTTP method.</summary>
    public required string Method { get; init; }

    /// <summary>Gets the path (without the query string unless configured).</summary>
    public required string Path { get; init; }

    /// <summary>Gets the status code.</summary>
    public required int StatusCode { get; init; }

    /// <summary>Gets the duration in milliseconds.</summary>
    public required double Duration { get; init; }

    /// <summary>Gets the W3C trace id, to find the request in a tracing system, or <see langword="null"/>.</summary>
    public string? TraceId { get; init; }

    /// <summary>Gets the instance that served it, or <see langword="null"/>.</summary>
    public string? Instance { get; init; }

    /// <summary>Gets the (sanitized) exception message, or <see langword="null"/>.</summary>
    public string? Message { get; init; }
}
