namespace Analytics;

/// <summary>
/// Where analytics data is persisted. Small and async-only; one implementation per database. Every implementation
/// passes the same conformance suite. Methods may be called concurrently, except that <see cref="WriteBatchAsync"/>
/// is only ever called by the single background writer.
/// </summary>
public interface IAnalyticsStore
{
    /// <summary>Creates or migrates the schema. Called before the first write; safe to call again.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Persists a batch in one transaction: all of it, or (by throwing) none of it.</summary>
    /// <param name="batch">The batch; its lists are reused by the caller once this returns, so do not keep them.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task WriteBatchAsync(AnalyticsBatch batch, CancellationToken cancellationToken);

    /// <summary>Reads raw requests, newest first.</summary>
    /// <param name="query">The time range and the page.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<IReadOnlyList<StoredRequest>> ReadRequestsAsync(RawQuery query, CancellationToken cancellationToken);

    /// <summary>Reads raw custom events, newest first.</summary>
    /// <param name="query">The time range and the page.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(RawQuery query, CancellationToken cancellationToken);

    /// <summary>Checks that the store can be reached; throws when it cannot.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task PingAsync(CancellationToken cancellationToken);
}

/// <summary>What the writer hands the store in one transaction.</summary>
public sealed class AnalyticsBatch
{
    internal AnalyticsBatch()
    {
    }

    internal List<RequestRecord> RequestList { get; } = [];

    internal List<EventRecord> EventList { get; } = [];

    /// <summary>Gets the requests to keep as raw rows (after <see cref="RequestAnalyticsOptions.RawSampleRate"/>).</summary>
    public IReadOnlyList<RequestRecord> Requests => RequestList;

    /// <summary>Gets the custom events.</summary>
    public IReadOnlyList<EventRecord> Events => EventList;

    internal int Count => RequestList.Count + EventList.Count;

    internal void Clear()
    {
        RequestList.Clear();
        EventList.Clear();
    }
}

/// <summary>A page of raw rows: a time range, newest first, with keyset paging.</summary>
public sealed record RawQuery
{
    /// <summary>Gets the inclusive start of the range, or <see langword="null"/> for no lower bound.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Gets the exclusive end of the range, or <see langword="null"/> for no upper bound.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Gets the id below which to read (the <c>next</c> of the previous page), or <see langword="null"/> for the newest.</summary>
    public long? Before { get; init; }

    /// <summary>Gets the most rows to return, from 1 to 10 000. The default is 100.</summary>
    public int Limit { get; init; } = 100;
}

/// <summary>A raw request as stored, with its id.</summary>
/// <param name="Id">The row id; ids increase with insertion order.</param>
/// <param name="Request">The request.</param>
public sealed record StoredRequest(long Id, RequestRecord Request);

/// <summary>A raw custom event as stored, with its id.</summary>
/// <param name="Id">The row id; ids increase with insertion order.</param>
/// <param name="Event">The event.</param>
public sealed record StoredEvent(long Id, EventRecord Event);
