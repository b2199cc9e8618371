namespace Analytics.Storage;

/// <summary>The stored state of one error group.</summary>
public sealed record ErrorGroupState
{
    /// <summary>Gets the fingerprint that identifies the group.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>Gets the route template of the latest occurrence.</summary>
    public required string Route { get; init; }

    /// <summary>Gets the HTTP method of the latest occurrence.</summary>
    public required string Method { get; init; }

    /// <summary>Gets the status code of the latest occurrence.</summary>
    public required int StatusCode { get; init; }

    /// <summary>Gets the exception type, or <see langword="null"/> for failures without an exception.</summary>
    public string? ExceptionType { get; init; }

    /// <summary>Gets the (sanitized) exception message of the latest occurrence, or <see langword="null"/>.</summary>
    public string? Message { get; init; }

    /// <summary>Gets how many occurrences there were, ever.</summary>
    public required long Count { get; init; }

    /// <summary>Gets when the first occurrence happened.</summary>
    public required DateTimeOffset FirstSeen { get; init; }

    /// <summary>Gets when the latest occurrence happened.</summary>
    public required DateTimeOffset LastSeen { get; init; }

    /// <summary>Gets the severity of the latest occurrence.</summary>
    public required ErrorSeverity Severity { get; init; }

    /// <summary>Gets when the group was marked resolved, or <see langword="null"/> while it is open.</summary>
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>Gets whether the group occurred again after it had been resolved (cleared by resolving it again).</summary>
    public bool Regressed { get; init; }
}
