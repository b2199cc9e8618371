namespace Analytics.Storage;

/// <summary>
/// The aggregate of every request in one bucket with the same route, method, status code, environment, instance,
/// kind and release; and, for the per-consumer rollups (<see cref="AnalyticsBatch.ConsumerRollups"/>), consumer.
/// </summary>
/// <remarks>
/// Rollups count every request, including those <see cref="RequestAnalyticsOptions.RawSampleRate"/> did not keep as a
/// raw row. A store adds a written rollup to the stored one with the same key: counts and sums add, minimum and maximum
/// combine, and the latency sketches merge.
/// </remarks>
public sealed class RequestRollup
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

    /// <summary>Gets the environment the requests were served in, or <see langword="null"/>.</summary>
    public string? Environment { get; init; }

    /// <summary>Gets the instance that served the requests, or <see langword="null"/>.</summary>
    public string? Instance { get; init; }

    /// <summary>
    /// Gets the kind of the requests. A long-lived kind's durations, sums and sketch describe connection lifetimes; rows
    /// written before kinds were part of the key read as <see cref="RequestKind.Http"/>. The default is
    /// <see cref="RequestKind.Http"/>.
    /// </summary>
    public RequestKind Kind { get; init; }

    /// <summary>
    /// Gets the release that served the requests (<see cref="RequestAnalyticsOptions.Release"/>), or
    /// <see langword="null"/> for rows written before releases were recorded.
    /// </summary>
    public string? Release { get; init; }

    /// <summary>
    /// Gets the consumer of a per-consumer rollup (<see cref="AnalyticsBatch.ConsumerRollups"/>): a consumer name, or
    /// <c>(other)</c> for the consumers beyond <see cref="RequestAnalyticsOptions.MaxConsumersPerBucket"/> in the bucket.
    /// Always <see langword="null"/> in the request rollups (<see cref="AnalyticsBatch.RequestRollups"/>), which count
    /// every request whoever called.
    /// </summary>
    public string? Consumer { get; init; }

    /// <summary>Gets or sets the number of requests.</summary>
    public long Count { get; set; }

    /// <summary>Gets or sets how many of them failed (status 500 or more, or an exception).</summary>
    public long Errors { get; set; }

    /// <summary>Gets or sets the sum of the durations, in whole microseconds.</summary>
    public long DurationSumMicroseconds { get; set; }

    /// <summary>Gets or sets the shortest duration, in whole microseconds.</summary>
    public long DurationMinMicroseconds { get; set; }

    /// <summary>Gets or sets the longest duration, in whole microseconds.</summary>
    public long DurationMaxMicroseconds { get; set; }

    /// <summary>Gets or sets the sum of the request body sizes, in bytes.</summary>
    public long RequestBytes { get; set; }

    /// <summary>Gets or sets the sum of the response body sizes, in bytes.</summary>
    public long ResponseBytes { get; set; }

    /// <summary>
    /// Gets or sets the latency sketch, in microseconds; <see langword="null"/> when read without
    /// <see cref="RollupQuery.IncludeSketches"/>.
    /// </summary>
    public LatencySketch? Latency { get; set; }

    /// <summary>
    /// Gets or sets the distinct user ids (<see cref="RequestRecord.UserId"/>) seen; <see langword="null"/> when none was,
    /// or when read without <see cref="RollupQuery.IncludeCardinality"/>.
    /// </summary>
    public CardinalitySketch? Users { get; set; }

    /// <summary>
    /// Gets or sets the distinct client addresses (<see cref="RequestRecord.ClientIp"/>, as recorded) seen;
    /// <see langword="null"/> when none was, or when read without <see cref="RollupQuery.IncludeCardinality"/>.
    /// </summary>
    public CardinalitySketch? Clients { get; set; }

    /// <summary>
    /// Gets or sets the distinct consumers (<see cref="RequestRecord.Consumer"/>) seen, every one of them, including
    /// those counted as <c>(other)</c> in the per-consumer rollups; <see langword="null"/> when none was, or when read
    /// without <see cref="RollupQuery.IncludeCardinality"/>.
    /// </summary>
    public CardinalitySketch? Consumers { get; set; }

    /// <summary>
    /// Adds another row with the same key to this one, as a store merges them: counts, errors, sums and bytes add, the
    /// extremes combine, and the sketches merge (a missing one stays missing only if both are).
    /// </summary>
    /// <param name="other">The row to add; not changed.</param>
    public void Add(RequestRollup other)
    {
        ArgumentNullException.ThrowIfNull(other);
        bool empty = Count == 0;
        Count += other.Count;
        Errors += other.Errors;
        DurationSumMicroseconds += other.DurationSumMicroseconds;
        DurationMinMicroseconds = empty
            ? other.DurationMinMicroseconds
            : Math.Min(DurationMinMicroseconds, other.DurationMinMicroseconds);
        DurationMaxMicroseconds = empty
            ? other.DurationMaxMicroseconds
            : Math.Max(DurationMaxMicroseconds, other.DurationMaxMicroseconds);
        RequestBytes += other.RequestBytes;
        ResponseBytes += other.ResponseBytes;
        if (other.Latency is { } latency)
        {
            (Latency ??= new LatencySketch()).Merge(latency);
        }

        if (other.Users is { } users)
        {
            (Users ??= new CardinalitySketch()).Merge(users);
        }

        if (other.Clients is { } clients)
        {
            (Clients ??= new CardinalitySketch()).Merge(clients);
        }

        if (other.Consumers is { } consumers)
        {
            (Consumers ??= new CardinalitySketch()).Merge(consumers);
        }
    }
}
