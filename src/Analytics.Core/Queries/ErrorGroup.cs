namespace Analytics;

/// <summary>Failed requests with the same route, method, status code and exception type.</summary>
public sealed record ErrorGroup
{
    /// <summary>
    /// Gets the group's fingerprint (see <see cref="RequestRecord.ErrorFingerprint"/>); empty for failures recorded
    /// before groups existed.
    /// </summary>
    public string Fingerprint { get; init; } = string.Empty;

    /// <summary>Gets the route template.</summary>
    public required string Route { get; init; }

    /// <summary>Gets the HTTP method.</summary>
    public required string Method { get; init; }

    /// <summary>Gets the status code.</summary>
    public required int StatusCode { get; init; }

    /// <summary>Gets the full name of the exception type, or <see langword="null"/> for failures without an exception.</summary>
    public string? ExceptionType { get; init; }

    /// <summary>Gets the exception message of the most recent one, or <see langword="null"/>.</summary>
    public string? Message { get; init; }

    /// <summary>Gets how many there were.</summary>
    public required long Count { get; init; }

    /// <summary>Gets when the first of the range happened.</summary>
    public required DateTimeOffset FirstSeen { get; init; }

    /// <summary>Gets when the last of the range happened.</summary>
    public required DateTimeOffset LastSeen { get; init; }

    /// <summary>Gets how serious the group is (<see cref="RequestAnalyticsOptions.ClassifyError"/>).</summary>
    public ErrorSeverity Severity { get; init; }

    /// <summary>Gets whether the group is marked resolved.</summary>
    public bool Resolved { get; init; }

    /// <summary>Gets whether the group occurred again after it had been resolved.</summary>
    public bool Regressed { get; init; }
}
