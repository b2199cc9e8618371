using Analytics.Storage;

namespace Analytics.Tests.Rollups;

public sealed class StableHashTests
{
    [Fact]
    public void TheHashIsTheSameInEveryProcess()
    {
        // Fixed values: a sketch written by one instance must merge truthfully with another's, and string.GetHashCode()
        // changes per process. The value was computed by a separate Python implementation of the same hash (FNV-1a over
        // UTF-16LE bytes, xor length, MurmurHash3 fmix64); a change to it breaks every stored sketch.
        Assert.Equal(StableHash.Hash64("user-1"), StableHash.Hash64(new string("user-1".AsSpan())));
        Assert.NotEqual(StableHash.Hash64("user-1"), StableHash.Hash64("user-2"));
        Assert.NotEqual(StableHash.Hash64(""), StableHash.Hash64("\0"));
        Assert.Equal(0x_4DFD_76C3_B145_046CUL, StableHash.Hash64("user-1"));
    }
}
