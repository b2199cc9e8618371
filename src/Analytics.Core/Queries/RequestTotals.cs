using Analytics.ServiceLevels;
using Analytics.Storage;

namespace Analytics.Queries;

/// <summary>
/// Request rollups added together: exact counts and sums, merged sketches. Every row is counted; a long-lived row's
/// durations (connection lifetimes) go to the connection figures instead of the latency ones, unless the query chose a
/// kind.
/// </summary>
/// <param name="kindChosen">Whether the query asked for one kind: then every row it reads is that kind's, and their
/// durations are its latency even when the kind is long-lived.</param>
/// <param name="apdex">The Apdex thresholds to score the rows counted as latency against, or <see langword="null"/> for no score.</param>
internal sealed class RequestTotals(bool kindChosen = false, ApdexThresholds? apdex = null)
{
    public static readonly RequestTotals Empty = new();

    private LatencySketch? _latency;
    private CardinalitySketch? _users;
    private CardinalitySketch? _clients;
    private CardinalitySketch? _consumers;
    private long _durationSum;
    private long _timed;
    private long _connectionDurationSum;
    private long _connectionMax;
    private ApdexScore? _apdex;

    public long Count { get; private set; }

    public long Errors { get; private set; }

    public long RequestBytes { get; private set; }

    public long ResponseBytes { get; private set; }

    /// <summary>Gets the longest duration counted as latency, in microseconds.</summary>
    public long Max { get; private set; }

    /// <summary>Gets the long-lived requests among <see cref="Count"/>.</summary>
    public long Connections { get; private set; }

    public double ErrorRate => Count == 0 ? 0 : (double)Errors / Count;

    /// <summary>Gets the mean of the durations counted as latency, in milliseconds.</summary>
    public double Avg => _timed == 0 ? 0 : AnalyticsQueries.ToMilliseconds((double)_durationSum / _timed);

    public ConnectionSummary ConnectionSummary => Connections == 0
        ? ConnectionSummary.None
        : new ConnectionSummary
        {
            Count = Connections,
            AvgDuration = AnalyticsQueries.ToMilliseconds((double)_connectionDurationSum / Connections),
            MaxDuration = AnalyticsQueries.ToMilliseconds(_connectionMax),
        };

    public void Add(RequestRollup row)
    {
        Count += row.Count;
        Errors += row.Errors;
        RequestBytes += row.RequestBytes;
        ResponseBytes += row.ResponseBytes;
        bool longLived = row.Kind.IsLongLived();
        if (longLived)
        {
            Connections += row.Count;
            _connectionDurationSum += row.DurationSumMicroseconds;
            _connectionMax = Math.Max(_connectionMax, row.DurationMaxMicroseconds);
        }

        if (!longLived || kindChosen)
        {
            AddLatency(row);
        }

        if (row.Users is { } users)
        {
            (_users ??= new CardinalitySketch()).Merge(users);
        }

        if (row.Clients is { } clients)
        {
            (_clients ??= new CardinalitySketch()).Merge(clients);
        }

        if (row.Consumers is { } consumers)
        {
            (_consumers ??= new CardinalitySketch()).Merge(consumers);
        }
    }

    /// <summary>Gets the estimated distinct users of the rows added (read with <see cref="RollupQuery.IncludeCardinality"/>).</summary>
    public long UniqueUsers => _users?.Estimate() ?? 0;

    /// <summary>Gets the estimated distinct clients of the rows added.</summary>
    public long UniqueClients => _clients?.Estimate() ?? 0;

    /// <summary>Gets the estimated distinct consumers of the rows added.</summary>
    public long UniqueConsumers => _consumers?.Estimate() ?? 0;

    /// <summary>Gets the Apdex score of the rows counted as latency, or <see langword="null"/> without any (or without thresholds).</summary>
    public double? Apdex => _apdex?.Value;

    public double Quantile(double q) => _latency is { } latency ? AnalyticsQueries.ToMilliseconds(latency.GetQuantile(q)) : 0;

    private void AddLatency(RequestRollup row)
    {
        _timed += row.Count;
        _durationSum += row.DurationSumMicroseconds;
        Max = Math.Max(Max, row.DurationMaxMicroseconds);
        if (row.Latency is { } latency)
        {
            (_latency ??= new LatencySketch()).Merge(latency);
        }

        if (apdex is not null)
        {
            (_apdex ??= new ApdexScore()).Add(row, apdex.For(row.Route, row.Method));
        }
    }
}
