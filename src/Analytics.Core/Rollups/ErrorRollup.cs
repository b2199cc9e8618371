namespace Analytics.Storage;

/// <summary>
/// The failed requests (status 500 or more, or an exception) of one bucket with the same route, method, status code,
/// exception type, error group, environment, instance and request kind.
/// </summary>
public sealed class ErrorRollup
{
    /// <summary>Gets the bucket width.</summary>
    public required Granularity Granularity { get; init; }

    /// <summary>Gets the UTC start of the bucket.</summary>
    public required DateTimeOffset BucketStart { get; init; }

    /// <summary>Gets the route template.</summary>
    public required string Route { get; init; }

    /// <summary>Gets the HTTP method.</summary>
    public required string Method { get; init; }

    /// <summary>Gets the response status code.</summary>
    public required int StatusCode { get; init; }

    /// <summary>Gets the full name of the exception type, or <see langword="null"/> when the response failed without one.</summary>
    public string? ExceptionType { get; init; }

    /// <summary>Gets the error group (<see cref="RequestRecord.ErrorFingerprint"/>); empty for rows written before groups existed.</summary>
    public string Fingerprint { get; init; } = string.Empty;

    /// <summary>
    /// Gets or sets the severity of the latest failure (<see cref="RequestAnalyticsOptions.ClassifyError"/>); not
    /// stored with the rollup.
    /// </summary>
    public ErrorSeverity Severity { get; set; }

    /// <summary>Gets the environment, or <see langword="null"/>.</summary>
    public string? Environment { get; init; }

    /// <summary>Gets the instance, or <see langword="null"/>.</summary>
    public string? Instance { get; init; }

    /// <summary>
    /// Gets the kind of the failed requests; rows written before kinds were part of the key read as
    /// <see cref="RequestKind.Http"/>. The default is <see cref="RequestKind.Http"/>.
    /// </summary>
    public RequestKind Kind { get; init; }

    /// <summary>Gets or sets the number of failed requests.</summary>
    public long Count { get; set; }

    /// <summary>Gets or sets when the first of them happened.</summary>
    public DateTimeOffset FirstSeen { get; set; }

    /// <summary>Gets or sets when the last of them happened.</summary>
    public DateTimeOffset LastSeen { get; set; }

    /// <summary>Gets or sets the exception message of the last of them, or <see langword="null"/>.</summary>
    public string? LastMessage { get; set; }

    /// <summary>
    /// Adds another row with the same key to this one, as a store merges them: counts add, the first occurrence is the
    /// earlier, and the message and severity are those of the later last occurrence.
    /// </summary>
    /// <param name="other">The row to add; not changed.</param>
    public void Add(ErrorRollup other)
    {
        ArgumentNullException.ThrowIfNull(other);
        bool empty = Count == 0;
        Count += other.Count;
        if (empty || other.FirstSeen < FirstSeen)
        {
            FirstSeen = other.FirstSeen;
        }

        if (empty || other.LastSeen >= LastSeen)
        {
            LastSeen = other.LastSeen;
            LastMessage = other.LastMessage;
            Severity = other.Severity;
        }
    }
}
