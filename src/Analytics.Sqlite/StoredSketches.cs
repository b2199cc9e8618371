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
