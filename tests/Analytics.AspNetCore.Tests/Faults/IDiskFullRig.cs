namespace Analytics.AspNetCore.Tests.Faults;

/// <summary>What <see cref="DiskFullTests"/> needs of the app whose disk fills, whichever way it is made full.</summary>
internal interface IDiskFullRig : IAsyncDisposable
{
    /// <summary>Gets where the app listens, <c>http://127.0.0.1:PORT</c>.</summary>
    string Origin { get; }

    /// <summary>Gets what <see cref="MemoryBytes"/> measures.</summary>
    string MemoryKind { get; }

    /// <summary>Gets the <c>WriteFailed</c> log lines so far.</summary>
    IReadOnlyList<string> FailedWrites { get; }

    /// <summary>Gets whether a write failed with SQLite's "database or disk is full".</summary>
    bool SawDiskFull { get; }

    Task<PipelineCounters> CountersAsync();

    long MemoryBytes();

    /// <summary>Leaves the app <see cref="DiskFullTests.Headroom"/> bytes at most, which its load then fills.</summary>
    Task FillAsync();

    /// <summary>Gives the space back.</summary>
    Task FreeAsync();

    /// <summary>Copies the database, consistent as of its last commit, into <paramref name="folder"/>; returns the copy's path.</summary>
    Task<string> SnapshotAsync(string folder);
}

/// <summary>The pipeline's counters, as <see cref="IAnalyticsPipeline"/> has them.</summary>
internal readonly record struct PipelineCounters(long Accepted, long Dropped, long Written, long QueueLength);
