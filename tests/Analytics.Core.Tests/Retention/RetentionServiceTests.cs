using Analytics.Retention;
using Analytics.Storage;
using Analytics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.Tests.Retention;

public sealed class RetentionServiceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 10, 30, 45, TimeSpan.Zero);

    [Fact]
    public async Task EachWindowGivesItsCutoffAndBucketsMustHaveEndedBeforeIt()
    {
        var store = new PurgeRecordingStore();
        var service = Create(store, new FakeTimeProvider(Now), o =>
        {
            o.Retention.Raw = TimeSpan.FromDays(3);
            o.Retention.Minute = TimeSpan.FromHours(5);
            o.Retention.Hour = TimeSpan.FromDays(2);
            o.Retention.Day = TimeSpan.FromDays(30);
        });

        await service.PurgeAsync(default);

        Assert.Equal(
            [
                ("raw", Now.AddDays(-3)),
                ("Minute", new DateTimeOffset(2026, 11, 21, 5, 30, 0, TimeSpan.Zero)),
                ("Hour", new DateTimeOffset(2026, 11, 19, 10, 0, 0, TimeSpan.Zero)),
                ("Day", new DateTimeOffset(2026, 10, 22, 0, 0, 0, TimeSpan.Zero)),
            ],
            store.Calls.Select(c => (c.Target, c.Cutoff)));
    }

    [Fact]
    public async Task APassRepeatsChunksUntilOneComesBackShort()
    {
        var store = new PurgeRecordingStore();
        store.RawRows = (RetentionService.ChunkSize * 2) + 17;
        var service = Create(store, new FakeTimeProvider(Now));

        long deleted = await service.PurgeAsync(default);

        Assert.Equal((RetentionService.ChunkSize * 2) + 17, deleted);
        Assert.Equal(0, store.RawRows);
        Assert.Equal(3, store.Calls.Count(c => c.Target == "raw"));
        Assert.All(store.Calls, c => Assert.Equal(RetentionService.ChunkSize, c.MaxRows));
    }

    [Fact]
    public async Task TheServicePurgesOnItsScheduleAndSurvivesAFailingPass()
    {
        var time = new FakeTimeProvider(Now);
        var store = new PurgeRecordingStore { FailNext = true };
        var service = Create(store, time);
        await service.StartAsync(default);
        try
        {
            // The first pass waits 30 s after start, then fails; the next one comes an interval later. The clock is moved
            // a second per poll because the service registers its timer on its own thread, at a moment the test cannot see.
            await Wait.UntilAsync(
                () =>
                {
                    time.Advance(TimeSpan.FromSeconds(1));
                    return store.Failures == 1;
                },
                TimeSpan.FromSeconds(10),
                "the first pass has run and failed");
            int callsAfterFailure = store.Calls.Count;
            time.Advance(RetentionService.Interval);
            await Wait.UntilAsync(() => store.Calls.Count >= callsAfterFailure + 4, TimeSpan.FromSeconds(10), "the next pass has purged raw rows and each granularity");
        }
        finally
        {
            await service.StopAsync(default);
        }
    }

    [Fact]
    public async Task OnAStoreSharedByAClusterOnlyTheLeadingInstancePurges()
    {
        var time = new FakeTimeProvider(Now);
        var store = new PurgeRecordingStore { Leads = false };
        var service = Create(store, time);
        await service.StartAsync(default);
        try
        {
            // Not leading: each pass asks, and deletes nothing.
            await Wait.UntilAsync(
                () =>
                {
                    time.Advance(TimeSpan.FromSeconds(1));
                    return store.LeadershipChecks == 1;
                },
                TimeSpan.FromSeconds(10),
                "the first pass asked whether this instance leads");
            Assert.Empty(store.Calls);

            // The leader went away and this instance took over: the next pass purges.
            store.Leads = true;
            time.Advance(RetentionService.Interval);
            await Wait.UntilAsync(() => store.Calls.Count >= 4, TimeSpan.FromSeconds(10), "the leading instance purged raw rows and each granularity");
            Assert.Equal(2, store.LeadershipChecks);
        }
        finally
        {
            await service.StopAsync(default);
        }
    }

    private static RetentionService Create(IAnalyticsStore store, TimeProvider time, Action<RequestAnalyticsOptions>? configure = null)
    {
        var options = new RequestAnalyticsOptions();
        configure?.Invoke(options);
        return new RetentionService(store, Options.Create(options), time, NullLogger<RetentionService>.Instance);
    }

    private sealed class PurgeRecordingStore : IAnalyticsStore, IClusterLeadership
    {
        private readonly object _gate = new();
        private int _leadershipChecks;

        /// <summary>Gets or sets whether this instance leads a cluster sharing the store; true unless a test says otherwise.</summary>
        public volatile bool Leads = true;

        public int LeadershipChecks => Volatile.Read(ref _leadershipChecks);

        public StoreCapabilities Capabilities => new() { Leadership = this };

        public Task<bool> IsLeaderAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _leadershipChecks);
            return Task.FromResult(Leads);
        }
        private readonly List<(string Target, DateTimeOffset Cutoff, int MaxRows)> _calls = [];

        public int RawRows { get; set; }

        public bool FailNext { get; set; }

        public int Failures { get; private set; }

        public IReadOnlyList<(string Target, DateTimeOffset Cutoff, int MaxRows)> Calls
        {
            get
            {
                lock (_gate)
                {
                    return [.. _calls];
                }
            }
        }

        public Task<int> PurgeRawAsync(DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken)
        {
            if (FailNext)
            {
                FailNext = false;
                Failures++;
                throw new IOException("The disk is unhappy.");
            }

            lock (_gate)
            {
                _calls.Add(("raw", cutoff, maxRows));
            }

            int deleted = Math.Min(RawRows, maxRows);
            RawRows -= deleted;
            return Task.FromResult(deleted);
        }

        public Task<int> PurgeRollupsAsync(Granularity granularity, DateTimeOffset cutoff, int maxRows, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                _calls.Add((granularity.ToString(), cutoff, maxRows));
            }

            return Task.FromResult(0);
        }

        public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task WriteBatchAsync(AnalyticsBatch batch, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<StoredRequest>> ReadRequestsAsync(RawQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(RawQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public IAsyncEnumerable<RequestRollup> ReadRequestRollupsAsync(RollupQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public IAsyncEnumerable<EventRollup> ReadEventRollupsAsync(RollupQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public IAsyncEnumerable<ErrorRollup> ReadErrorRollupsAsync(RollupQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task PingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
