using Analytics.Storage;

namespace Analytics.Sqlite;

/// <summary>
/// The sketches a writer stored in one rollup or total row, with their encoded form as stored: a merge that finds
/// exactly those bytes stored merges into the sketch in memory instead of decoding them again; a row changed by
/// another process or rolled back no longer matches and is decoded (<see cref="SqliteRollupUpsert"/>,
/// <see cref="SqliteRequestTotals"/>).
/// </summary>
internal sealed class StoredSketches
{
    public LatencySketch? Latency { get; set; }

    public byte[]? LatencyBytes { get; set; }

    /// <summary>Gets the users, clients and consumers sketches, in that order.</summary>
    public CardinalitySketch?[] Cardinality { get; } = new CardinalitySketch?[3];

    /// <summary>Gets the encoded form of each of <see cref="Cardinality"/> as stored.</summary>
    public byte[]?[] CardinalityBytes { get; } = new byte[]?[3];

    /// <summary>
    /// The latency sketch whose encoding is <paramref name="stored"/>: the one in <paramref name="cache"/> when those are
    /// the bytes it last stored, else decoded; null when nothing or a damaged sketch is stored.
    /// </summary>
    public static LatencySketch? LatencyOf(StoredSketches? cache, byte[]? stored) =>
        cache?.Latency is { } known && stored is not null && stored.AsSpan().SequenceEqual(cache.LatencyBytes)
            ? known
            : TryDecode(stored, static data => LatencySketch.FromBytes(data));

    /// <summary>As <see cref="LatencyOf"/>, for the cardinality sketch of <paramref name="column"/> (users, clients, consumers).</summary>
    public static CardinalitySketch? CardinalityOf(StoredSketches? cache, byte[]? stored, int column) =>
        cache?.Cardinality[column] is { } known && stored is not null && stored.AsSpan().SequenceEqual(cache.CardinalityBytes[column])
            ? known
            : TryDecode(stored, static data => CardinalitySketch.FromBytes(data));

    /// <summary>Encodes <paramref name="sketch"/>, the row's latency about to be stored, and remembers both in <paramref name="cache"/>.</summary>
    public static byte[] KeepLatency(StoredSketches? cache, LatencySketch sketch)
    {
        var bytes = sketch.ToBytes();
        if (cache is not null)
        {
            cache.Latency = sketch;
            cache.LatencyBytes = bytes;
        }

        return bytes;
    }

    /// <summary>As <see cref="KeepLatency"/>, for the cardinality sketch of <paramref name="column"/>.</summary>
    public static byte[] KeepCardinality(StoredSketches? cache, int column, CardinalitySketch sketch)
    {
        var bytes = sketch.ToBytes();
        if (cache is not null)
        {
            cache.Cardinality[column] = sketch;
            cache.CardinalityBytes[column] = bytes;
        }

        return bytes;
    }

    private static T? TryDecode<T>(byte[]? data, Func<byte[], T> decode)
        where T : class
    {
        if (data is null || data.Length == 0)
        {
            return null;
        }

        try
        {
            return decode(data);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>What a writer last stored in each row, emptied whole once it holds <paramref name="capacity"/> rows.</summary>
internal sealed class StoredSketchCache<TKey>(int capacity)
    where TKey : notnull
{
    private readonly Dictionary<TKey, StoredSketches> _rows = [];

    /// <summary>Gets the entry of <paramref name="key"/>, empty when the row is new to the cache.</summary>
    public StoredSketches Get(TKey key)
    {
        if (!_rows.TryGetValue(key, out var stored))
        {
            if (_rows.Count >= capacity)
            {
                _rows.Clear(); // a new hour or day has begun, or more rows than a cache should hold: start again
            }

            stored = new StoredSketches();
            _rows.Add(key, stored);
        }

        return stored;
    }
}
