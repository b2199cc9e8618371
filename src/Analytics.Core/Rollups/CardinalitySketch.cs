using System.Numerics;
using System.Runtime.InteropServices;

namespace Analytics.Storage;

/// <summary>
/// A HyperLogLog sketch of how many distinct values (user ids, client addresses) were seen: 2^13 registers, about 1.15 %
/// standard error at any cardinality, and mergeable, so an hour's sketch is exactly the merge of its minutes'.
/// </summary>
/// <remarks>
/// <para>
/// Values are hashed with a fixed 64-bit hash (<see cref="StableHash"/>), the same in every process, so sketches
/// written by several instances merge truthfully. The top 13 bits pick a register, which keeps the longest run of
/// leading zeros (plus one) seen in the other 51 bits.
/// </para>
/// <para>
/// The estimate is Ertl's improved raw estimator ("New cardinality estimation algorithms for HyperLogLog sketches",
/// 2017), which is unbiased from one value to billions without the empirical correction tables of HyperLogLog++.
/// </para>
/// <para>
/// Few values are kept sparse (only the registers set), which is what most rollup rows hold. In memory a sketch switches to
/// one byte per register past <see cref="MemorySparseLimit"/> registers, where a dictionary would be as large and much
/// slower to merge into; its encoding stays sparse up to <see cref="SparseLimit"/> registers whatever the form in memory.
/// </para>
/// </remarks>
public sealed partial class CardinalitySketch
{
    /// <summary>The number of hash bits that choose a register: 2^13 = 8 192 registers.</summary>
    public const int Precision = 13;

    /// <summary>The estimate's relative standard error: 1.04 / √(2^<see cref="Precision"/>).</summary>
    public const double StandardError = 0.0115;

    internal const int RegisterCount = 1 << Precision;
    private const int MaxRank = 64 - Precision + 1;
    private const int SparseLimit = RegisterCount / 8;
    private const int MemorySparseLimit = RegisterCount / 32;
    private const double AlphaInfinity = 0.72134752044448170; // 1 / (2 ln 2)

    // One of three forms: a dictionary of the registers set (a sketch being added to), the same registers packed as
    // ascending (register << 6 | rank) entries (a decoded sketch, which queries only merge and estimate, so decoding
    // costs one array, not a dictionary), or one byte per register.
    private Dictionary<int, byte>? _sparse;
    private int[]? _packed;
    private byte[]? _dense;

    /// <summary>Initializes an empty sketch.</summary>
    public CardinalitySketch() => _sparse = [];

    private CardinalitySketch(Dictionary<int, byte>? sparse) => _sparse = sparse;

    /// <summary>Gets whether no value has been added.</summary>
    public bool IsEmpty => _dense is null && (_packed?.Length ?? _sparse!.Count) == 0;

    /// <summary>Adds a value; adding it again changes nothing.</summary>
    /// <param name="value">The value, compared ordinally.</param>
    public void Add(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        AddHash(StableHash.Hash64(value));
    }

    /// <summary>Adds a value by its <see cref="StableHash.Hash64"/>.</summary>
    internal void AddHash(ulong hash)
    {
        int index = (int)(hash >> (64 - Precision));
        ulong rest = hash << Precision;
        byte rank = (byte)(rest == 0 ? MaxRank : BitOperations.LeadingZeroCount(rest) + 1);
        Set(index, rank);
    }

    /// <summary>Adds every value <paramref name="other"/> has seen (register-wise maximum).</summary>
    /// <param name="other">The sketch to merge in; it does not change.</param>
    public void Merge(CardinalitySketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._dense is { } dense)
        {
            var mine = ToDense();
            for (int i = 0; i < mine.Length; i++)
            {
                mine[i] = Math.Max(mine[i], dense[i]);
            }

            return;
        }

        if (other._packed is { } packed)
        {
            foreach (int entry in packed)
            {
                Set(entry >> RankBits, (byte)(entry & RankMask));
            }

            return;
        }

        foreach (var (index, rank) in other._sparse!)
        {
            Set(index, rank);
        }
    }

    /// <summary>Estimates how many distinct values were added.</summary>
    /// <returns>The estimate, rounded to a whole number; 0 for an empty sketch.</returns>
    public long Estimate()
    {
        Span<int> histogram = stackalloc int[MaxRank + 1];
        if (_dense is { } dense)
        {
            foreach (byte rank in dense)
            {
                histogram[rank]++;
            }
        }
        else if (_packed is { } packed)
        {
            histogram[0] = RegisterCount - packed.Length;
            foreach (int entry in packed)
            {
                histogram[entry & RankMask]++;
            }
        }
        else
        {
            histogram[0] = RegisterCount - _sparse!.Count;
            foreach (byte rank in _sparse.Values)
            {
                histogram[rank]++;
            }
        }

        const double m = RegisterCount;
        double z = m * Tau(1 - (histogram[MaxRank] / m));
        for (int k = MaxRank - 1; k >= 1; k--)
        {
            z = 0.5 * (z + histogram[k]);
        }

        z += m * Sigma(histogram[0] / m);
        return double.IsInfinity(z) ? 0 : (long)Math.Round(AlphaInfinity * m * m / z);
    }

    private void Set(int index, byte rank)
    {
        if (_packed is not null)
        {
            Unpack(); // to a dictionary, or dense when it holds many registers
        }

        if (_dense is { } dense)
        {
            if (rank > dense[index])
            {
                dense[index] = rank;
            }

            return;
        }

        ref byte stored = ref CollectionsMarshal.GetValueRefOrAddDefault(_sparse!, index, out _);
        if (rank > stored)
        {
            stored = rank;
        }

        if (_sparse!.Count > MemorySparseLimit)
        {
            ToDense();
        }
    }

    private byte[] ToDense()
    {
        if (_dense is null)
        {
            _dense = new byte[RegisterCount];
            if (_packed is { } packed)
            {
                foreach (int entry in packed)
                {
                    _dense[entry >> RankBits] = (byte)(entry & RankMask);
                }
            }
            else
            {
                foreach (var (index, rank) in _sparse!)
                {
                    _dense[index] = rank;
                }
            }

            _sparse = null;
            _packed = null;
        }

        return _dense;
    }

    /// <summary>Turns a decoded sketch's packed registers back into the dictionary that adding needs.</summary>
    private void Unpack()
    {
        if (_packed!.Length > MemorySparseLimit)
        {
            ToDense();
            return;
        }

        var sparse = new Dictionary<int, byte>(_packed.Length);
        foreach (int entry in _packed)
        {
            sparse.Add(entry >> RankBits, (byte)(entry & RankMask));
        }

        _sparse = sparse;
        _packed = null;
    }

    // σ and τ of Ertl's estimator (Algorithm 6): series that converge in a few dozen steps at double precision.
    private static double Sigma(double x)
    {
        if (x == 1)
        {
            return double.PositiveInfinity;
        }

        double y = 1, z = x, previous;
        do
        {
            x *= x;
            previous = z;
            z += x * y;
            y += y;
        }
        while (z != previous);
        return z;
    }

    private static double Tau(double x)
    {
        if (x is 0 or 1)
        {
            return 0;
        }

        double y = 1, z = 1 - x, previous;
        do
        {
            x = Math.Sqrt(x);
            previous = z;
            y *= 0.5;
            z -= (1 - x) * (1 - x) * y;
        }
        while (z != previous);
        return z / 3;
    }
}
