using System.Runtime.InteropServices;

namespace Analytics.Storage;

/// <summary>
/// A 64-bit string hash that is the same in every process and on every machine (unlike <see cref="string.GetHashCode()"/>),
/// so sketches and fingerprints written by several instances agree: FNV-1a over the UTF-16 code units, then the
/// MurmurHash3 finalizer, which spreads every input bit over every output bit as HyperLogLog needs.
/// </summary>
internal static class StableHash
{
    public static ulong Hash64(ReadOnlySpan<char> value)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in MemoryMarshal.AsBytes(value))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return Finalize(hash ^ (ulong)value.Length);
    }

    private static ulong Finalize(ulong h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return h;
    }
}
