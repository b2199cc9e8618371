namespace Analytics.Storage;

/// <summary>
/// Decides under which name a request's consumer is counted in the per-consumer rollups: its own while its
/// (granularity, bucket) holds fewer than <see cref="RequestAnalyticsOptions.MaxConsumersPerBucket"/> names or already
/// holds it, else <see cref="RequestAnalyticsDefaults.OtherConsumer"/>. Each granularity decides for itself, so an hour
/// names at most as many consumers as a minute does, and every row of a granularity is counted whole.
/// </summary>
/// <remarks>
/// Owned by the writer across batches (a bucket's names outlive the batch that began it) and by each batch made with
/// the public constructor: not thread-safe. Only the <see cref="BucketsPerGranularity"/> newest buckets of each
/// granularity are held, so memory is bounded whatever the traffic; a late record for a bucket already let go starts
/// a new set of names for it. The limit is therefore per instance and per process, as the README says.
/// </remarks>
internal sealed class ConsumerAdmission
{
    // The current bucket, the one before (a batch that spans a boundary) and two for records that arrive late (a slow
    // request ends in the next minute; a flush interval of minutes). A late record beyond them is rare and only costs
    // a fresh set of names.
    internal const int BucketsPerGranularity = 4;

    private readonly int _maxConsumers;
    private readonly IConsumerOverflowObserver? _observer;
    private readonly Bucket?[][] _buckets =
        [new Bucket?[BucketsPerGranularity], new Bucket?[BucketsPerGranularity], new Bucket?[BucketsPerGranularity]];

    // The previous answer: a client's requests come in runs, and a run needs no lookup.
    private string? _lastConsumer;
    private DateTimeOffset _lastMinute;
    private ConsumerNames _lastNames;

    /// <summary>Creates an admission of at most <paramref name="maxConsumersPerBucket"/> names per bucket.</summary>
    /// <param name="maxConsumersPerBucket">The limit, <see cref="RequestAnalyticsOptions.MaxConsumersPerBucket"/>.</param>
    /// <param name="observer">Told of each request counted as <c>(other)</c> and of each bucket's first, or <see langword="null"/>.</param>
    public ConsumerAdmission(int maxConsumersPerBucket, IConsumerOverflowObserver? observer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConsumersPerBucket, 1);
        _maxConsumers = maxConsumersPerBucket;
        _observer = observer;
    }

    /// <summary>Gets how many buckets are held, over every granularity.</summary>
    internal int HeldBuckets => _buckets.Sum(level => level.Count(bucket => bucket is not null));

    /// <summary>Gets how many consumer names are held, over every granularity.</summary>
    internal int HeldNames => _buckets.Sum(level => level.Sum(bucket => bucket?.Names.Count ?? 0));

    /// <summary>Gets the names under which a consumer's request in <paramref name="minute"/> is counted at each granularity.</summary>
    /// <param name="consumer">The consumer.</param>
    /// <param name="minute">The start of the request's minute.</param>
    public ConsumerNames Admit(string consumer, DateTimeOffset minute)
    {
        if (minute != _lastMinute || !string.Equals(consumer, _lastConsumer, StringComparison.Ordinal))
        {
            _lastNames = new ConsumerNames(
                Admit(0, Granularity.Minute, minute, consumer),
                Admit(1, Granularity.Hour, Granularity.Hour.Floor(minute), consumer),
                Admit(2, Granularity.Day, Granularity.Day.Floor(minute), consumer));
            _lastConsumer = consumer;
            _lastMinute = minute;
        }

        if (_observer is { } observer && _lastNames.Overflowed)
        {
            observer.Overflowed(_lastNames);
        }

        return _lastNames;
    }

    private string Admit(int level, Granularity granularity, DateTimeOffset start, string consumer)
    {
        var bucket = Find(_buckets[level], start);
        if (bucket.Names.Contains(consumer))
        {
            return consumer;
        }

        if (bucket.Names.Count < _maxConsumers)
        {
            bucket.Names.Add(consumer);
            return consumer;
        }

        if (!bucket.Overflowed)
        {
            bucket.Overflowed = true;
            _observer?.BucketOverflowed(granularity, start, _maxConsumers);
        }

        return RequestAnalyticsDefaults.OtherConsumer;
    }

    /// <summary>The bucket's set of names, made in the slot of the oldest bucket held when it is not held.</summary>
    private static Bucket Find(Bucket?[] buckets, DateTimeOffset start)
    {
        var slot = 0;
        for (var i = 0; i < buckets.Length; i++)
        {
            if (buckets[i] is not { } bucket)
            {
                slot = i;
                break;
            }

            if (bucket.Start == start)
            {
                return bucket;
            }

            if (bucket.Start < buckets[slot]!.Start)
            {
                slot = i;
            }
        }

        // A new set rather than a cleared one: a flood's thousands of names are let go with their bucket.
        return buckets[slot] = new Bucket(start);
    }

    private sealed class Bucket(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; } = start;

        public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

        public bool Overflowed { get; set; }
    }
}

/// <summary>What a <see cref="ConsumerAdmission"/> tells of the names it counts as <c>(other)</c>: the writer's meter and log.</summary>
internal interface IConsumerOverflowObserver
{
    /// <summary>A request was counted as <c>(other)</c> at one granularity or more.</summary>
    /// <param name="names">Its names at each granularity.</param>
    void Overflowed(in ConsumerNames names);

    /// <summary>A bucket counted its first consumer as <c>(other)</c>.</summary>
    /// <param name="granularity">The bucket's granularity.</param>
    /// <param name="start">The bucket's start.</param>
    /// <param name="maxConsumers">The limit it reached.</param>
    void BucketOverflowed(Granularity granularity, DateTimeOffset start, int maxConsumers);
}

/// <summary>The names under which one request's consumer is counted at each granularity.</summary>
/// <param name="Minute">The name in its minute.</param>
/// <param name="Hour">The name in its hour.</param>
/// <param name="Day">The name in its day.</param>
internal readonly record struct ConsumerNames(string Minute, string Hour, string Day)
{
    /// <summary>Gets whether any granularity counted it as <see cref="RequestAnalyticsDefaults.OtherConsumer"/>.</summary>
    public bool Overflowed => IsOther(Minute) || IsOther(Hour) || IsOther(Day);

    /// <summary>Gets whether a name is the admission's <c>(other)</c> (not a consumer that calls itself that).</summary>
    public static bool IsOther(string name) => ReferenceEquals(name, RequestAnalyticsDefaults.OtherConsumer);
}
