namespace Analytics.Storage.Testing;

/// <summary>
/// Synthetic traffic for unique counts: <c>users</c> distinct user ids, each seen once or twice at random times, from a
/// quarter as many client addresses; with the exact distinct counts of any range computed from it to compare with.
/// </summary>
public sealed class UniqueTraffic
{
    private UniqueTraffic(RequestRecord[] requests, DateTimeOffset start, TimeSpan span)
    {
        Requests = requests;
        Start = start;
        Span = span;
    }

    /// <summary>Gets the requests, in time order (as a writer would see them).</summary>
    public RequestRecord[] Requests { get; }

    /// <summary>Gets when the traffic starts.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>Gets how long the traffic lasts.</summary>
    public TimeSpan Span { get; }

    /// <summary>Creates the traffic; the same arguments always give the same requests.</summary>
    /// <param name="users">How many distinct user ids.</param>
    /// <param name="start">When the traffic starts.</param>
    /// <param name="span">How long it lasts.</param>
    /// <returns>The traffic.</returns>
    public static UniqueTraffic Create(int users, DateTimeOffset start, TimeSpan span)
    {
        var random = new Random(users); // fixed per size, so a failure reproduces
        var requests = new List<RequestRecord>(users * 3 / 2);
        for (int user = 0; user < users; user++)
        {
            int visits = 1 + (user % 2);
            for (int v = 0; v < visits; v++)
            {
                var at = start + TimeSpan.FromTicks((long)(random.NextDouble() * span.Ticks));
                requests.Add(StoreTestData.Request(at, route: user % 3 == 0 ? "/orders/{id}" : "/items/{id}") with
                {
                    UserId = $"user-{user}",
                    ClientIp = $"10.{(user / 4) >> 16 & 255}.{(user / 4) >> 8 & 255}.{(user / 4) & 255}",
                });
            }
        }

        requests.Sort((a, b) => a.Timestamp.CompareTo(b.Timestamp));
        return new UniqueTraffic([.. requests], start, span);
    }

    /// <summary>
    /// Checks overviews of several ranges at every granularity and the time series, each within 3 % of the truth.
    /// </summary>
    /// <param name="queries">The queries over a store the whole traffic was written to.</param>
    /// <returns>A task that completes when every check has passed.</returns>
    public async Task AssertQueriesAsync(IAnalyticsQueries queries)
    {
        var ranges = new List<(DateTimeOffset From, DateTimeOffset To, Granularity Granularity)>
        {
            (Start, Start + Span, Granularity.Day),
            (Start, Start + Span, Granularity.Hour),
            (Start, Start.AddHours(6), Granularity.Minute),
            (Start.AddHours(5), Start.AddHours(6), Granularity.Minute),
            (Start.AddHours(1), Start.AddHours(25), Granularity.Hour),
        };
        if (Span >= TimeSpan.FromDays(2))
        {
            ranges.Add((Start.AddDays(1), Start.AddDays(2), Granularity.Day));
        }

        foreach (var (from, to, granularity) in ranges)
        {
            var overview = await queries.GetOverviewAsync(
                new AnalyticsQuery { From = from, To = to, Granularity = granularity }, default);
            var (users, clients) = Exact(from, to);
            AssertClose(users, overview.UniqueUsers, $"users {from:O}..{to:O} at {granularity}");
            AssertClose(clients, overview.UniqueClients, $"clients {from:O}..{to:O} at {granularity}");
        }

        var series = await queries.GetTimeSeriesAsync(
            new AnalyticsQuery { From = Start, To = Start + Span, Granularity = Granularity.Hour }, default);
        Assert.Equal((int)Span.TotalHours, series.Points.Count);
        foreach (var point in series.Points)
        {
            var (users, clients) = Exact(point.Time, point.Time.AddHours(1));
            AssertClose(users, point.UniqueUsers, $"users in the hour at {point.Time:O}");
            AssertClose(clients, point.UniqueClients, $"clients in the hour at {point.Time:O}");
        }
    }

    private (long Users, long Clients) Exact(DateTimeOffset from, DateTimeOffset to)
    {
        var users = new HashSet<string>(StringComparer.Ordinal);
        var clients = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in Requests)
        {
            if (r.Timestamp >= from && r.Timestamp < to)
            {
                users.Add(r.UserId!);
                clients.Add(r.ClientIp!);
            }
        }

        return (users.Count, clients.Count);
    }

    private static void AssertClose(long exact, long estimate, string what) =>
        Assert.True(Math.Abs(estimate - exact) <= exact * 0.03, $"{what}: estimated {estimate}, exactly {exact}");
}
