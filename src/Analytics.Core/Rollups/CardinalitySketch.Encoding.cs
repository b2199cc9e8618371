namespace Analytics.Storage;

/// <summary>The binary form of a <see cref="CardinalitySketch"/>, stored as a BLOB beside each rollup row.</summary>
public sealed partial class CardinalitySketch
{
    private const byte FormatVersion = 1;
    private const byte SparseKind = 0;
    private const byte DenseKind = 1;
    private const int RankBits = 6;
    private const int RankMask = (1 << RankBits) - 1;

    /// <summary>Encodes the sketch.</summary>
    /// <remarks>
    /// Layout: version byte, precision byte, kind byte. Sparse (kind 0): the number of registers set (varint), then each
    /// in ascending register order as a varint of (register delta from the previous one &lt;&lt; 6) | rank. Dense
    /// (kind 1): one byte per register. A sketch of a few values takes a few bytes; a full one 8 KB.
    /// </remarks>
    /// <returns>The encoded sketch; <see cref="FromBytes"/> restores it exactly.</returns>
    public byte[] ToBytes()
    {
        var entries = _packed;
        if (_dense is { } dense)
        {
            // The encoding follows the number of registers set, not the form in memory, so equal sketches encode equally.
            int set = dense.Length - dense.AsSpan().Count((byte)0);
            if (set > SparseLimit)
            {
                var bytes = new byte[3 + dense.Length];
                bytes[0] = FormatVersion;
                bytes[1] = Precision;
                bytes[2] = DenseKind;
                dense.CopyTo(bytes, 3);
                return bytes;
            }

            entries = new int[set];
            int i = 0;
            for (int register = 0; register < dense.Length; register++)
            {
                if (dense[register] != 0)
                {
                    entries[i++] = (register << RankBits) | dense[register];
                }
            }
        }
        else if (entries is null)
        {
            entries = new int[_sparse!.Count];
            int i = 0;
            foreach (var (register, rank) in _sparse)
            {
                entries[i++] = (register << RankBits) | rank;
            }

            Array.Sort(entries); // by register: it is the high part of each entry
        }

        var buffer = new byte[3 + 3 + (entries.Length * 3)];
        buffer[0] = FormatVersion;
        buffer[1] = Precision;
        buffer[2] = SparseKind;
        int position = WriteVarint(buffer, 3, (uint)entries.Length);
        int previous = 0;
        foreach (int entry in entries)
        {
            int register = entry >> RankBits;
            position = WriteVarint(buffer, position, ((uint)(register - previous) << RankBits) | (uint)(entry & RankMask));
            previous = register;
        }

        return buffer[..position];
    }

    /// <summary>Decodes a sketch written by <see cref="ToBytes"/>.</summary>
    /// <param name="data">The encoded sketch.</param>
    /// <returns>The sketch.</returns>
    /// <exception cref="FormatException">The data is not a sketch this version can read.</exception>
    public static CardinalitySketch FromBytes(ReadOnlySpan<byte> data)
    {
        if (data.Length < 3 || data[0] != FormatVersion)
        {
            throw Corrupt(data.Length < 3 ? "data is truncated" : $"format version {(data.Length > 0 ? data[0] : 0)} is unknown");
        }

        if (data[1] != Precision)
        {
            throw Corrupt($"precision {data[1]} is not {Precision}");
        }

        var sketch = new CardinalitySketch(sparse: null); // takes one of the other two forms below
        if (data[2] == DenseKind)
        {
            if (data.Length != 3 + RegisterCount)
            {
                throw Corrupt("a dense sketch must hold one byte per register");
            }

            var dense = data[3..].ToArray();
            if (dense.AsSpan().IndexOfAnyInRange((byte)(MaxRank + 1), byte.MaxValue) >= 0)
            {
                throw Corrupt("a register holds a rank out of range");
            }

            sketch._dense = dense;
            return sketch;
        }

        if (data[2] != SparseKind)
        {
            throw Corrupt($"kind {data[2]} is unknown");
        }

        int position = 3;
        uint count = ReadVarint(data, ref position);
        if (count > RegisterCount)
        {
            throw Corrupt("more registers than the sketch has");
        }

        // Kept packed as read: ascending registers, each once, which is what the checks below ensure.
        var packed = new int[count];
        int register = 0;
        for (uint i = 0; i < count; i++)
        {
            uint entry = ReadVarint(data, ref position);
            register += (int)(entry >> RankBits);
            byte rank = (byte)(entry & RankMask);
            if (register >= RegisterCount || rank is 0 or > MaxRank || (i > 0 && entry >> RankBits == 0))
            {
                throw Corrupt("a register is out of range or repeated");
            }

            packed[i] = (register << RankBits) | rank;
        }

        if (position != data.Length)
        {
            throw Corrupt("data continues past the last register");
        }

        if (count > SparseLimit)
        {
            // Written by another version with a larger sparse limit: held dense, as this version would have.
            sketch._packed = packed;
            sketch.ToDense();
            return sketch;
        }

        sketch._packed = packed;
        return sketch;
    }

    private static int WriteVarint(byte[] buffer, int position, uint value)
    {
        while (value >= 0x80)
        {
            buffer[position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[position++] = (byte)value;
        return position;
    }

    private static uint ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        uint value = 0;
        for (int shift = 0; shift < 32; shift += 7)
        {
            if (position >= data.Length)
            {
                throw Corrupt("data is truncated");
            }

            byte b = data[position++];
            value |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Corrupt("a varint is too long");
    }

    private static FormatException Corrupt(string reason) => new($"The cardinality sketch cannot be decoded: {reason}.");
}
