namespace Analytics.Storage;

/// <summary>The keys rows are counted under.</summary>
internal sealed partial class RollupAccumulator
{
    // The kind is part of the key so that a row's durations and sketch describe one kind: a WebSocket row's sketch holds
    // connection lifetimes, and queries choose whether to count them as latency. A route almost always serves one kind,
    // so this adds rows only where a route mixes them (a SignalR hub: WebSockets, SSE and long polling on one route).
    // The release is part of it so that releases can be compared; one instance runs one release at a time.
    private readonly record struct RequestKey(
        Granularity Granularity,
        DateTimeOffset BucketStart,
        string Route,
        string Method,
        int StatusCode,
        string? Environment,
        string? Instance,
        RequestKind Kind,
        string? Release)
    {
        public RequestRollup Create(string? consumer = null) => new()
        {
            Granularity = Granularity, BucketStart = BucketStart, Route = Route, Method = Method,
            StatusCode = StatusCode, Environment = Environment, Instance = Instance, Kind = Kind, Release = Release,
            Consumer = consumer,
        };
    }

    /// <summary>A per-consumer minute's key: the request key and the names the consumer has at each granularity.</summary>
    private readonly record struct ConsumerKey(RequestKey Key, ConsumerNames Names);

    /// <summary>A per-consumer row's key: the request key and the consumer's name at the row's granularity.</summary>
    private readonly record struct ConsumerRowKey(RequestKey Key, string Consumer);

    private readonly record struct EventKey(
        Granularity Granularity,
        DateTimeOffset BucketStart,
        string Name,
        string? Environment,
        string? Instance)
    {
        public EventRollup Create() => new()
        {
            Granularity = Granularity, BucketStart = BucketStart, Name = Name, Environment = Environment, Instance = Instance,
        };
    }

    private readonly record struct ErrorKey(
        Granularity Granularity,
        DateTimeOffset BucketStart,
        string Route,
        string Method,
        int StatusCode,
        string? ExceptionType,
        string Fingerprint,
        string? Environment,
        string? Instance,
        RequestKind Kind)
    {
        public ErrorRollup Create() => new()
        {
            Granularity = Granularity, BucketStart = BucketStart, Route = Route, Method = Method,
            StatusCode = StatusCode, ExceptionType = ExceptionType, Fingerprint = Fingerprint,
            Environment = Environment, Instance = Instance, Kind = Kind,
        };
    }
}
