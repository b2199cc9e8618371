using Analytics.Storage;
using Analytics.Testing.Conformance;

namespace Analytics.Tests.Rollups;

public sealed class RollupAccumulatorTests
{
    private static readonly DateTimeOffset Start = TestData.Start;

    [Fact]
    public void HoursAndDaysAreExactMergesOfTheirMinutes()
    {
        var random = new Random(3);
        var requests = Enumerable.Range(0, 5_000)
            .Select(i => TestData.Request(Start.AddHours(22).AddSeconds(random.Next(0, 4 * 3600)), milliseconds: random.Next(1, 2_000), requestBytes: i % 7, responseBytes: i % 13))
            .ToList();
        var batch = TestData.Batch(requests);

        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            var rows = batch.RequestRollups.Where(r => r.Granularity == granularity).ToList();
            var expected = requests.GroupBy(r => granularity.Floor(r.Timestamp)).OrderBy(g => g.Key).ToList();
            Assert.Equal(expected.Select(g => (g.Key, (long)g.Count())), rows.OrderBy(r => r.BucketStart).Select(r => (r.BucketStart, r.Count)));
            foreach (var group in expected)
            {
                var row = Assert.Single(rows, r => r.BucketStart == group.Key);
                var direct = new LatencySketch();
                foreach (var request in group)
                {
                    direct.Add(request.Duration.Ticks / 10.0);
                }

                Assert.Equal((direct.Count, direct.Min, direct.Max), (row.Latency!.Count, row.Latency.Min, row.Latency.Max));
                Assert.Equal(group.Sum(r => r.Duration.Ticks / 10), row.DurationSumMicroseconds);
                Assert.Equal(group.Min(r => r.Duration.Ticks / 10), row.DurationMinMicroseconds);
                Assert.Equal(group.Max(r => r.Duration.Ticks / 10), row.DurationMaxMicroseconds);
                Assert.Equal((group.Sum(r => r.RequestBytes), group.Sum(r => r.ResponseBytes)), (row.RequestBytes, row.ResponseBytes));
                foreach (var q in new[] { 0.5, 0.95, 0.99 })
                {
                    Assert.Equal(direct.GetQuantile(q), row.Latency.GetQuantile(q));
                }
            }
        }
    }

    [Fact]
    public void DistinctUsersAndClientsAreExactSketchesWhateverOrderTheRequestsComeIn()
    {
        // Runs of the same client on the same row skip re-adding it; interleaved rows, users and clients must not.
        var random = new Random(11);
        var requests = Enumerable.Range(0, 4_000).Select(i =>
        {
            var run = i / (1 + random.Next(5)); // runs of repeats, then changes
            return TestData.Request(Start.AddSeconds(i % 120), route: i % 3 == 0 ? "/a" : "/b") with
            {
                ClientIp = $"10.0.{run % 40}.0",
                UserId = i % 4 == 0 ? null : $"user-{run % 300}",
            };
        }).ToList();

        var batch = TestData.Batch(requests);

        foreach (var row in batch.RequestRollups)
        {
            var members = requests.Where(r => row.Granularity.Floor(r.Timestamp) == row.BucketStart && r.Route == row.Route).ToList();
            var users = new CardinalitySketch();
            var clients = new CardinalitySketch();
            foreach (var request in members)
            {
                if (request.UserId is { } user)
                {
                    users.Add(user);
                }

                clients.Add(request.ClientIp!);
            }

            Assert.Equal(users.ToBytes(), row.Users!.ToBytes());
            Assert.Equal(clients.ToBytes(), row.Clients!.ToBytes());
        }
    }

    [Fact]
    public void RequestsAreKeyedByRouteMethodStatusEnvironmentAndInstance()
    {
        var batch = TestData.Batch([
            TestData.Request(Start, route: "/a"),
            TestData.Request(Start, route: "/a"),
            TestData.Request(Start, route: "/b"),
            TestData.Request(Start, route: "/a", method: "POST"),
            TestData.Request(Start, route: "/a", status: 404),
            TestData.Request(Start, route: "/a", environment: "prod"),
            TestData.Request(Start, route: "/a", instance: "web-2"),
        ]);

        var minutes = batch.RequestRollups.Where(r => r.Granularity == Granularity.Minute).ToList();

        Assert.Equal(6, minutes.Count);
        Assert.Equal(2, Assert.Single(minutes, r => r is { Route: "/a", Method: "GET", StatusCode: 200, Environment: null, Instance: null }).Count);
    }

    [Fact]
    public void OnlyFailuresAreErrorsAndTheyAreGroupedByExceptionType()
    {
        var batch = TestData.Batch([
            TestData.Request(Start, status: 404),
            TestData.Request(Start, status: 499),
            TestData.Request(Start.AddSeconds(1), status: 500, exceptionType: "System.IO.IOException", exceptionMessage: "one"),
            TestData.Request(Start.AddSeconds(2), status: 500, exceptionType: "System.IO.IOException", exceptionMessage: "two"),
            TestData.Request(Start.AddSeconds(3), status: 500),
            TestData.Request(Start.AddSeconds(4), status: 200, exceptionType: "System.OperationCanceledException"),
        ]);

        var minutes = batch.ErrorRollups.Where(r => r.Granularity == Granularity.Minute).ToList();
        var requestErrors = batch.RequestRollups.Where(r => r.Granularity == Granularity.Minute).Sum(r => r.Errors);

        Assert.Equal(3, minutes.Count);
        Assert.Equal(4, requestErrors);
        var io = Assert.Single(minutes, r => r.ExceptionType == "System.IO.IOException");
        Assert.Equal((2L, Start.AddSeconds(1), Start.AddSeconds(2), "two"), (io.Count, io.FirstSeen, io.LastSeen, io.LastMessage));
    }

    [Fact]
    public void EventsCountOutcomesAndOnlyDurationsThatWereGiven()
    {
        var batch = TestData.Batch([
            new EventRecord { Timestamp = Start, Name = "deploy", Success = true, Duration = TimeSpan.FromSeconds(10) },
            new EventRecord { Timestamp = Start.AddHours(1), Name = "deploy", Success = false },
            new EventRecord { Timestamp = Start, Name = "signup" },
        ]);

        var day = batch.EventRollups.Where(r => r.Granularity == Granularity.Day).ToList();

        var deploy = Assert.Single(day, r => r.Name == "deploy");
        Assert.Equal((2L, 1L, 1L, 1L), (deploy.Count, deploy.Successes, deploy.Failures, deploy.Duration!.Count));
        Assert.Null(Assert.Single(day, r => r.Name == "signup").Duration);
        Assert.Equal(3, batch.EventRollups.Count(r => r.Granularity == Granularity.Minute));
        Assert.Equal(3, batch.EventRollups.Count(r => r.Granularity == Granularity.Hour));
    }

    [Fact]
    public void RollupsFollowLaterAdditionsAndClear()
    {
        var batch = TestData.Batch([TestData.Request(Start)]);
        Assert.Equal(1, batch.RequestRollups.Single(r => r.Granularity == Granularity.Day).Count);

        batch.AddRequest(TestData.Request(Start.AddMinutes(5)));
        Assert.Equal(2, batch.RequestRollups.Single(r => r.Granularity == Granularity.Day).Count);

        batch.Clear();
        Assert.Empty(batch.RequestRollups);
        Assert.Empty(batch.Requests);

        // The same key again after a clear counts into a new rollup, not the one the cleared batch held.
        batch.AddRequest(TestData.Request(Start.AddMinutes(5)));
        Assert.Equal(1, batch.RequestRollups.Single(r => r.Granularity == Granularity.Minute).Count);
        Assert.Equal(1, batch.RequestRollups.Single(r => r.Granularity == Granularity.Day).Count);
    }

    [Fact]
    public void EachKindHasRowsOfItsOwnSoAConnectionsLifetimeNeverEntersAnotherKindsSketch()
    {
        // One route, method and status served as plain requests, WebSockets and an event stream, one failing of each.
        var batch = TestData.Batch([
            TestData.Request(Start, milliseconds: 2),
            TestData.Request(Start.AddSeconds(1), milliseconds: 4, status: 500, exceptionType: "System.IO.IOException"),
            TestData.Request(Start.AddSeconds(2), milliseconds: 5_000) with { Kind = RequestKind.WebSocket },
            TestData.Request(Start.AddSeconds(3), milliseconds: 7_000) with { Kind = RequestKind.WebSocket },
            TestData.Request(Start.AddSeconds(4), milliseconds: 9_000, status: 500, exceptionType: "System.IO.IOException") with { Kind = RequestKind.ServerSentEvents },
        ]);

        foreach (var granularity in new[] { Granularity.Minute, Granularity.Hour, Granularity.Day })
        {
            var rows = batch.RequestRollups.Where(r => r.Granularity == granularity && r.StatusCode == 200).ToDictionary(r => r.Kind);
            Assert.Equal([RequestKind.Http, RequestKind.WebSocket], rows.Keys.Order());
            Assert.Equal((1L, 2_000L, 2_000L), (rows[RequestKind.Http].Count, rows[RequestKind.Http].Latency!.Max, rows[RequestKind.Http].DurationMaxMicroseconds));
            var sockets = rows[RequestKind.WebSocket];
            Assert.Equal((2L, 12_000_000L, 5_000_000L, 7_000_000L), (sockets.Count, sockets.DurationSumMicroseconds, sockets.DurationMinMicroseconds, sockets.DurationMaxMicroseconds));
            Assert.Equal(2, sockets.Latency!.Count);

            var errors = batch.ErrorRollups.Where(r => r.Granularity == granularity).ToDictionary(r => r.Kind, r => r.Count);
            Assert.Equal(new Dictionary<RequestKind, long> { [RequestKind.Http] = 1, [RequestKind.ServerSentEvents] = 1 }, errors);
        }
    }

    [Fact]
    public void ANegativeDurationCountsAsZeroInsteadOfFailingTheBatch()
    {
        var batch = TestData.Batch([TestData.Request(Start) with { Duration = TimeSpan.FromTicks(-5) }]);

        var row = batch.RequestRollups.First();
        Assert.Equal((1L, 0L), (row.Count, row.DurationMaxMicroseconds));
        Assert.Equal(0, row.Latency!.Max);
    }
}
