using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Analytics.Storage;

/// <summary>The compact binary form of a <see cref="LatencySketch"/>, stored as a BLOB beside each rollup row.</summary>
public sealed partial class LatencySketch
{
    private const byte FormatVersion = 1;
    private const int MaxVarintLength = 10;
    private const int MaxHeaderLength = 1 + MaxVarintLength + (3 * sizeof(double)) + MaxVarintLength;
    private const int MaxBucketLength = 2 * MaxVarintLength;

    /// <summary>Encodes the sketch compactly, storing only non-empty buckets.</summary>
    /// <remarks>
    /// Layout: version byte; count (varint); then, unless empty, sum, min and max (little-endian float64), the zero-bucket
    /// count (varint) and, in ascending index order until the end of the data, each non-empty bucket as its index delta from
    /// the previous one (zig-zag varint, the first relative to 0) and its count (varint). Neighbouring buckets are usually
    /// both non-empty, so most buckets take 2-3 bytes.
    /// </remarks>
    /// <returns>The encoded sketch; <see cref="FromBytes"/> restores it exactly.</returns>
    public byte[] ToBytes()
    {
        Materialize();
        int bucketSpan = HasBuckets ? _highestIndex - _lowestIndex + 1 : 0;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxHeaderLength + (bucketSpan * MaxBucketLength));
        try
        {
            var writer = new Writer(buffer);
            writer.WriteByte(FormatVersion);
            writer.WriteVarint((ulong)_count);
            if (_count > 0)
            {
                writer.WriteDouble(_sum);
                writer.WriteDouble(_min);
                writer.WriteDouble(_max);
                writer.WriteVarint((ulong)_zeroCount);

                int previousIndex = 0;
                for (int index = _lowestIndex; index <= _highestIndex; index++)
                {
                    long count = _counts[index - _offset];
                    if (count != 0)
                    {
                        writer.WriteVarint(ZigZagEncode(index - previousIndex));
                        writer.WriteVarint((ulong)count);
                        previousIndex = index;
                    }
                }
            }

            return writer.Written.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Decodes a sketch written by <see cref="ToBytes"/>.</summary>
    /// <param name="data">The encoded sketch.</param>
    /// <returns>The decoded sketch.</returns>
    /// <exception cref="FormatException">
    /// <paramref name="data"/> is truncated, has an unknown version, or is otherwise inconsistent. Bucket indexes are
    /// range-checked before use, so hostile input cannot make the sketch allocate more than a legitimate one could.
    /// </exception>
    public static LatencySketch FromBytes(ReadOnlySpan<byte> data)
    {
        var reader = new Reader(data);
        byte version = reader.ReadByte();
        if (version != FormatVersion)
        {
            throw Corrupt($"unsupported version {version}");
        }

        var sketch = new LatencySketch { _count = reader.ReadCount() };
        if (sketch._count == 0)
        {
            reader.EnsureEnd();
            return sketch;
        }

        sketch._sum = reader.ReadDouble();
        sketch._min = reader.ReadDouble();
        sketch._max = reader.ReadDouble();
        sketch._zeroCount = reader.ReadCount();
        if (!(sketch._sum >= 0) || !(sketch._min >= 0) || !(sketch._min <= sketch._max) || !double.IsFinite(sketch._max))
        {
            throw Corrupt("sum, min or max is out of range");
        }

        long unassigned = sketch._count - sketch._zeroCount;
        if (unassigned < 0)
        {
            throw Corrupt("zero-bucket count exceeds the total count");
        }

        // Validated here, kept encoded: the buckets become counts only if something needs them (see Materialize).
        int bucketsStart = reader.Position;
        long index = 0;
        while (!reader.IsAtEnd)
        {
            // The previous index is small, so even a hostile delta cannot wrap around into the valid range.
            long delta = ZigZagDecode(reader.ReadVarint());
            index += delta;
            if ((delta <= 0 && sketch.HasBuckets) || index < MinBucketIndex || index > MaxBucketIndex)
            {
                throw Corrupt("bucket indexes are out of range or not ascending");
            }

            long count = reader.ReadCount();
            if (count == 0 || count > unassigned)
            {
                throw Corrupt("bucket counts do not add up to the total count");
            }

            unassigned -= count;
            if (!sketch.HasBuckets)
            {
                sketch._lowestIndex = (int)index;
            }

            sketch._highestIndex = (int)index;
        }

        if (sketch.HasBuckets)
        {
            sketch._encodedBuckets = data[bucketsStart..].ToArray();
        }

        if (unassigned != 0 || !sketch.StatisticsMatchBuckets())
        {
            throw Corrupt("bucket counts, min and max are inconsistent");
        }

        return sketch;
    }

    /// <summary>Sums the counts of the encoded buckets (already validated) whose index is at most <paramref name="last"/>.</summary>
    private static long CountEncodedAtOrBelow(ReadOnlySpan<byte> encoded, int last) => CountEncodedAtOrBelow(encoded, last, last).Upper;

    /// <summary>
    /// Sums the counts of the encoded buckets (already validated) whose index is at most <paramref name="lower"/>, and
    /// of those at most <paramref name="upper"/> (≥ <paramref name="lower"/>), in one walk.
    /// </summary>
    private static (long Lower, long Upper) CountEncodedAtOrBelow(ReadOnlySpan<byte> encoded, int lower, int upper)
    {
        var reader = new Reader(encoded);
        long index = 0;
        long atLower = 0;
        long atUpper = 0;
        while (!reader.IsAtEnd)
        {
            index += ZigZagDecode(reader.ReadVarint());
            long bucket = reader.ReadCount();
            if (index > upper)
            {
                break;
            }

            atUpper += bucket;
            if (index <= lower)
            {
                atLower += bucket;
            }
        }

        return (atLower, atUpper);
    }

    private static ulong ZigZagEncode(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static long ZigZagDecode(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    private static FormatException Corrupt(string reason) => new($"Invalid latency sketch data: {reason}.");

    private ref struct Writer(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;
        private int _position;

        public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

        public void WriteByte(byte value) => _buffer[_position++] = value;

        public void WriteVarint(ulong value)
        {
            while (value >= 0x80)
            {
                _buffer[_position++] = (byte)(value | 0x80);
                value >>= 7;
            }

            _buffer[_position++] = (byte)value;
        }

        public void WriteDouble(double value)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(_buffer[_position..], value);
            _position += sizeof(double);
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public readonly bool IsAtEnd => _position == _data.Length;

        public readonly int Position => _position;

        public readonly void EnsureEnd()
        {
            if (!IsAtEnd)
            {
                throw Corrupt("unexpected trailing bytes");
            }
        }

        public byte ReadByte() => _position < _data.Length ? _data[_position++] : throw Corrupt("data is truncated");

        /// <remarks>
        /// Most varints of a sketch are one byte (bucket index deltas are small), and every read walks them: validating
        /// a decoded row's buckets, merging it, scoring its Apdex. That byte is read inline; longer ones take the loop.
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong ReadVarint()
        {
            int position = _position;
            if ((uint)position < (uint)_data.Length && _data[position] is var first and < 0x80)
            {
                _position = position + 1;
                return first;
            }

            return ReadLongVarint();
        }

        private ulong ReadLongVarint()
        {
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                byte b = ReadByte();
                if (shift == 63 && b > 1)
                {
                    break;
                }

                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw Corrupt("varint overflows 64 bits");
        }

        public long ReadCount()
        {
            ulong value = ReadVarint();
            return value <= long.MaxValue ? (long)value : throw Corrupt("count overflows a 64-bit signed integer");
        }

        public double ReadDouble()
        {
            if (_data.Length - _position < sizeof(double))
            {
                throw Corrupt("data is truncated");
            }

            double value = BinaryPrimitives.ReadDoubleLittleEndian(_data[_position..]);
            _position += sizeof(double);
            return value;
        }
    }
}
