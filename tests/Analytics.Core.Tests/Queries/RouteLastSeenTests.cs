using Analytics.Queries;
using Analytics.Testing;
using Analytics.Testing.Conformance;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.Tests.Queries;

public sealed class RouteLastSeenTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 30, TimeSpan.Zero);
    private readonly FakeStore _store = new();

    [Fact]
    public async Task EachRouteGetsTheEndOfTheFinestBucketStillKeptThatHoldsItsLastRequest()
    {
        await _store.WriteBatchAsync(
            TestData.Batch(
            [
                TestData.Request(Now.AddDays(-3), route: "/recent"),
                TestData.Request(new DateTimeOffset(2026, 11, 21, 10, 17, 30, TimeSpan.Zero), route: "/recent"), // the last one
                TestData.Request(Now.AddSeconds(-20), route: "/now", method: "POST"), // in the minute still under way
                TestData.Request(new DateTimeOffset(2026, 10, 22, 5, 10, 0, TimeSpan.Zero), route: "/old"), // minutes purged by now
                TestData.Request(new DateTimeOffset(2026, 5, 5, 5, 10, 0, TimeSpan.Zero), route: "/ancient"), // hours purged too
            ]),
            default);

        var seen = await Create().GetAsync(default);

        Assert.Equal(
            new Dictionary<(string, string), DateTimeOffset>
            {
                [("/recent", "GET")] = new(2026, 11, 21, 10, 18, 0, TimeSpan.Zero),
                [("/now", "POST")] = Now,
                [("/old", "GET")] = new(2026, 10, 22, 6, 0, 0, TimeSpan.Zero),
                [("/ancient", "GET")] = new(2026, 5, 6, 0, 0, 0, TimeSpan.Zero),
            },
            seen);
    }

    [Fact]
    public async Task MinutesAreReadOnlyForTheLastHourOfEachRouteNeverOverTheWholeRetention()
    {
        var records = new List<RequestRecord>();
        for (var hour = 0; hour < 6 * 24; hour++)
        {
            records.Add(TestData.Request(Now.AddHours(-hour), route: "/busy"));
        }

        records.Add(TestData.Request(Now.AddDays(-2).AddMinutes(-7), route: "/quiet"));
        await _store.WriteBatchAsync(TestData.Batch(records), default);

        var seen = await Create().GetAsync(default);

        Assert.Equal(Now, seen[("/busy", "GET")]);
        Assert.Equal(Granularity.Minute.Floor(Now.AddDays(-2).AddMinutes(-7)).AddMinutes(1), seen[("/quiet", "GET")]);
        var reads = _store.RollupQueries.ToArray();
        Assert.Single(reads, r => r.Granularity == Granularity.Day);
        Assert.All(reads.Where(r => r.Granularity == Granularity.Hour), r => Assert.Equal(TimeSpan.FromDays(1), r.To - r.From));
        Assert.All(reads.Where(r => r.Granularity == Granularity.Minute), r => Assert.Equal(TimeSpan.FromHours(1), r.To - r.From));
        Assert.Equal(5, reads.Length); // the days; the hours of the two last days; the minutes of the two last hours
    }

    [Fact]
    public async Task NoRequestsAtAllMeansNoRouteWasSeen()
    {
        Assert.Empty(await Create().GetAsync(default));
        Assert.Single(_store.RollupQueries); // the day rows answer that nothing was ever hit
    }

    private RouteLastSeen Create() => new(_store, Options.Create(new RequestAnalyticsOptions()), new FakeTimeProvider(Now));
}
