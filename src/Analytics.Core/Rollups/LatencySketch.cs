namespace Analytics.Storage;

/// <summary>
/// A mergeable latency histogram whose quantiles carry a bounded relative error (DDSketch, https://arxiv.org/abs/1908.10693).
/// </summary>
/// <remarks>
/// <para>
/// Values are counted in logarithmically sized buckets, so a quantile is accurate to <see cref="RelativeAccuracy"/>
/// of the exact value whatever the shape of the distribution. Because a sketch is only counts, merging is plain addition:
/// minute sketches roll up into hours and days with exactly the buckets a single sketch of all values would have.
/// </para>
/// <para>
/// Quantiles use the nearest-rank convention: <c>GetQuantile(q)</c> estimates the value at 1-based rank
/// <c>max(1, ceil(q * Count))</c> of the sorted values, i.e. the smallest value with at least a fraction q of the
/// values at or below it. The lowest and highest ranks return the exact <see cref="Min"/> and <see cref="Max"/>, and other
/// results are clamped between them.
/// </para>
/// <para>
/// Memory is one <see cref="long"/> per bucket in a window over the occupied buckets, grown by doubling: about 920 buckets
/// (7 KB) for 1 µs..100 s. The whole range of <see cref="double"/> is about 36,000 buckets, so even absurd or hostile
/// values cannot grow the window past about 72,000 (580 KB).
/// </para>
/// <para>Instances are not thread-safe; the owner must synchronize access or keep one sketch per thread and merge.</para>
/// </remarks>
public sealed partial class LatencySketch
{
    /// <summary>
    /// The relative accuracy of every quantile. 1% keeps a 200 ms p99 within 2 ms, well below run-to-run noise,
    /// while a 1 µs..100 s range still needs only about 920 buckets.
    /// </summary>
    public const double RelativeAccuracy = 0.01;

    /// <summary>
    /// Values below this (1 ns) are counted in a zero bucket and reported as 0: no clock measures latencies that small,
    /// and stopping the logarithmic scale here bounds how many buckets tiny values can open.
    /// </summary>
    public const double MinIndexableValue = 1e-3;

    private const double Gamma = (1 + RelativeAccuracy) / (1 - RelativeAccuracy);
    private const int InitialCapacity = 128;

    private static readonly double InverseLogGamma = 1 / Math.Log(Gamma);
    private static readonly int MinBucketIndex = GetBucketIndex(MinIndexableValue);
    private static readonly int MaxBucketIndex = GetBucketIndex(double.MaxValue);

    // _counts[i] holds the count of bucket (_offset + i); buckets outside [_lowestIndex, _highestIndex] are empty.
    private long[] _counts = [];

    // A decoded sketch keeps its buckets in their encoded form (validated, in ascending order) until something needs
    // them as counts: a query only merges a row's sketch into its totals, which reads the encoded buckets directly, so a
    // row costs no bucket array. _lowestIndex and _highestIndex are set from the encoding meanwhile.
    private byte[]? _encodedBuckets;
    private int _offset;
    private int _lowestIndex = int.MaxValue;
    private int _highestIndex = int.MinValue;
    private long _zeroCount;
    private long _count;
    private double _sum;
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;

    /// <summary>Gets the number of values added.</summary>
    public long Count => _count;

    /// <summary>Gets the sum of the values added, in microseconds.</summary>
    /// <remarks>
    /// This is a floating-point sum, so sketches merged in a different order may differ in its last bits
    /// (everything else merges exactly).
    /// </remarks>
    public double Sum => _sum;

    /// <summary>Gets the exact smallest value added, or 0 when the sketch is empty.</summary>
    public double Min => _count == 0 ? 0 : _min;

    /// <summary>Gets the exact largest value added, or 0 when the sketch is empty.</summary>
    public double Max => _count == 0 ? 0 : _max;

    /// <summary>Adds one latency.</summary>
    /// <param name="microseconds">The latency in microseconds; must be finite and non-negative.</param>
    public void Add(double microseconds) => Add(microseconds, 1);

    /// <summary>Adds a latency that was observed <paramref name="count"/> times.</summary>
    /// <param name="microseconds">The latency in microseconds; must be finite and non-negative.</param>
    /// <param name="count">How many times the latency was observed; must be positive.</param>
    public void Add(double microseconds, long count)
    {
        if (!double.IsFinite(microseconds) || microseconds < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(microseconds), microseconds, "Latency must be a finite, non-negative number of microseconds.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);

        Materialize();
        _count = checked(_count + count);
        _sum += microseconds * count;

        if (microseconds < _min)
        {
            _min = microseconds;
        }

        if (microseconds > _max)
        {
            _max = microseconds;
        }

        if (microseconds < MinIndexableValue)
        {
            _zeroCount += count;
        }
        else
        {
            AddToBucket(GetBucketIndex(microseconds), count);
        }
    }

    /// <summary>Adds all values of <paramref name="other"/> to this sketch.</summary>
    /// <remarks>The result has exactly the buckets, count, min and max of one sketch fed the values of both.</remarks>
    /// <param name="other">The sketch to merge; it is not modified (unless it is this sketch).</param>
    public void Merge(LatencySketch other)
    {
        ArgumentNullException.ThrowIfNull(other);

        if (other._count == 0)
        {
            return;
        }

        Materialize();
        _count = checked(_count + other._count);
        _zeroCount += other._zeroCount;
        _sum += other._sum;
        _min = Math.Min(_min, other._min);
        _max = Math.Max(_max, other._max);

        if (!other.HasBuckets)
        {
            return;
        }

        EnsureCapacity(other._lowestIndex, other._highestIndex);
        if (other._encodedBuckets is { } encoded)
        {
            AddEncodedBuckets(encoded);
        }
        else
        {
            for (int index = other._lowestIndex; index <= other._highestIndex; index++)
            {
                _counts[index - _offset] += other._counts[index - other._offset];
            }
        }

        _lowestIndex = Math.Min(_lowestIndex, other._lowestIndex);
        _highestIndex = Math.Max(_highestIndex, other._highestIndex);
    }

    /// <summary>Estimates the value at quantile <paramref name="q"/> using the nearest-rank convention.</summary>
    /// <param name="q">The quantile, from 0 (minimum) to 1 (maximum).</param>
    /// <returns>The estimate, within <see cref="RelativeAccuracy"/> of the exact value, or 0 when the sketch is empty.</returns>
    public double GetQuantile(double q)
    {
        Materialize();
        if (!(q >= 0 && q <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "Quantile must be between 0 and 1.");
        }

        if (_count == 0)
        {
            return 0;
        }

        long rank = Math.Clamp((long)Math.Ceiling(q * _count), 1, _count);
        if (rank == 1)
        {
            return _min;
        }

        if (rank == _count)
        {
            return _max;
        }

        double estimate = 0;
        if (rank > _zeroCount)
        {
            long seen = _zeroCount;
            int index = _lowestIndex;
            while ((seen += _counts[index - _offset]) < rank)
            {
                index++;
            }

            // This is DDSketch's 2 * gamma^index / (gamma + 1): within RelativeAccuracy of both ends of the bucket
            // (gamma^(index - 1), gamma^index]. Starting from the lower end keeps it finite in the topmost bucket.
            estimate = Math.Pow(Gamma, index - 1) * (1 + RelativeAccuracy);
        }

        return Math.Clamp(estimate, _min, _max);
    }

    /// <summary>
    /// Counts the values at or below <paramref name="microseconds"/>, for cumulative histogram buckets. Values in the
    /// bucket holding <paramref name="microseconds"/> count as below it, so the answer may include values up to
    /// <see cref="RelativeAccuracy"/> × 2 above the bound; below <see cref="Min"/> and from <see cref="Max"/> on it is exact.
    /// </summary>
    internal long CountAtOrBelow(double microseconds)
    {
        Materialize();
        if (_count == 0 || microseconds < _min)
        {
            return 0;
        }

        if (microseconds >= _max)
        {
            return _count;
        }

        return CountInBucketsAtOrBelow(microseconds);
    }

    /// <summary>
    /// Counts the values at or below <paramref name="microseconds"/> from the buckets alone, as
    /// <see cref="CountAtOrBelow"/> does between <see cref="Min"/> and <see cref="Max"/>: without its exact ends, the
    /// counts of several sketches add up to the count of their merge, so that Apdex and objectives summed over rows agree
    /// whichever granularity the rows are of. Exact for values more than <see cref="RelativeAccuracy"/> × 2 from the bound.
    /// </summary>
    internal long CountInBucketsAtOrBelow(double microseconds)
    {
        if (_count == 0 || microseconds < 0)
        {
            return 0;
        }

        long count = _zeroCount;
        if (microseconds < MinIndexableValue || !HasBuckets)
        {
            return count;
        }

        int last = GetBucketIndex(microseconds);
        if (last >= _highestIndex)
        {
            return _count; // every bucket is at or below: nothing to walk (a fast row under an Apdex threshold)
        }

        if (_encodedBuckets is { } encoded)
        {
            // A decoded row's sketch is counted from its encoded buckets: materializing them for this alone allocated a
            // window of at least 128 counts per rollup row, which Apdex and latency objectives read twice per row.
            return count + CountEncodedAtOrBelow(encoded, last);
        }

        for (int index = _lowestIndex; index <= last; index++)
        {
            count += _counts[index - _offset];
        }

        return count;
    }

    /// <summary>
    /// <see cref="CountInBucketsAtOrBelow(double)"/> at two bounds, <paramref name="lower"/> ≤ <paramref name="upper"/>,
    /// in one walk of the buckets: Apdex counts at T and 4T for every row it reads.
    /// </summary>
    internal (long Lower, long Upper) CountInBucketsAtOrBelow(double lower, double upper)
    {
        if (_encodedBuckets is not { } encoded || !(lower >= MinIndexableValue) || !(upper >= lower) || _count == 0)
        {
            return (CountInBucketsAtOrBelow(lower), CountInBucketsAtOrBelow(upper));
        }

        int upperBound = GetBucketIndex(upper);
        if (upperBound >= _highestIndex)
        {
            return (CountInBucketsAtOrBelow(lower), _count);
        }

        var (atLower, atUpper) = CountEncodedAtOrBelow(encoded, GetBucketIndex(lower), upperBound);
        return (_zeroCount + atLower, _zeroCount + atUpper);
    }

    private bool HasBuckets => _lowestIndex <= _highestIndex;

    /// <summary>Turns encoded buckets (a decoded sketch's) into counts, in a window sized to them.</summary>
    private void Materialize()
    {
        if (_encodedBuckets is not { } encoded)
        {
            return;
        }

        _encodedBuckets = null;
        EnsureCapacity(_lowestIndex, _highestIndex); // a decoded sketch has no window yet: this sizes one around its buckets
        AddEncodedBuckets(encoded);
    }

    /// <summary>Adds buckets in their encoded form, already validated, to a window that covers them.</summary>
    private void AddEncodedBuckets(ReadOnlySpan<byte> encoded)
    {
        var reader = new Reader(encoded);
        long index = 0;
        while (!reader.IsAtEnd)
        {
            index += ZigZagDecode(reader.ReadVarint());
            _counts[(int)index - _offset] += reader.ReadCount();
        }
    }

    private static int GetBucketIndex(double value) => (int)Math.Ceiling(Math.Log(value) * InverseLogGamma);

    private void AddToBucket(int index, long count)
    {
        EnsureCapacity(index, index);
        _counts[index - _offset] += count;
        _lowestIndex = Math.Min(_lowestIndex, index);
        _highestIndex = Math.Max(_highestIndex, index);
    }

    private void EnsureCapacity(int lowIndex, int highIndex)
    {
        int end = _offset + _counts.Length;
        if (lowIndex >= _offset && highIndex < end)
        {
            return;
        }

        int required = highIndex - lowIndex + 1;
        if (_counts.Length == 0)
        {
            // Centre the first window on the first value: latencies usually spread both ways from it.
            int length = Math.Max(InitialCapacity, required);
            _counts = new long[length];
            _offset = lowIndex - ((length - required) / 2);
            return;
        }

        // Doubling keeps the copying amortized O(1) per bucket; the slack goes on the side that grew.
        int newLow = Math.Min(lowIndex, _offset);
        int newEnd = Math.Max(highIndex + 1, end);
        int newLength = Math.Max(newEnd - newLow, 2 * _counts.Length);
        if (lowIndex < _offset)
        {
            newLow = newEnd - newLength;
        }

        var counts = new long[newLength];
        Array.Copy(_counts, 0, counts, _offset - newLow, _counts.Length);
        _counts = counts;
        _offset = newLow;
    }

    // Catches corruption in min/max that the count checks cannot see: both must fall in the outermost occupied buckets.
    private bool StatisticsMatchBuckets() =>
        (_zeroCount > 0) == (_min < MinIndexableValue)
        && (_zeroCount > 0 || GetBucketIndex(_min) == _lowestIndex)
        && (_zeroCount == _count ? _max < MinIndexableValue : GetBucketIndex(_max) == _highestIndex);

}
