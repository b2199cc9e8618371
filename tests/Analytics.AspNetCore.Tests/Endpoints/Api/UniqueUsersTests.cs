namespace Analytics.AspNetCore.Tests.Endpoints.Api;

/// <summary>Distinct users and clients from real requests: signed-in users and (anonymized) client addresses.</summary>
public sealed class UniqueUsersTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TheOverviewTheTimeSeriesAndTheLiveStatsCountDistinctUsersAndClients()
    {
        await using var host = await EndpointTestApp.StartAsync(withAuthentication: true);
        string[] users = ["alice", "bob", "carol", "dave"];
        string[] clients = ["203.0.113.5", "203.0.113.77", "198.51.100.7", "192.0.2.1"]; // three networks once anonymized
        for (int i = 0; i < 12; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/items/{i}");
            request.Headers.Add(EndpointTestApp.UserHeader, users[i % users.Length]);
            request.Headers.Add(EndpointTestApp.RemoteHeader, clients[i % clients.Length]);
            (await host.Client.SendAsync(request)).Dispose();
        }

        (await host.Client.GetAsync("/items/99")).Dispose(); // anonymous, from loopback: a fourth client, no user
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        var overview = await host.GetJsonAsync("/analytics/api/overview?range=1h");
        var series = await host.GetJsonAsync("/analytics/api/timeseries?range=15m");
        using var snapshotRequest = new HttpRequestMessage(HttpMethod.Get, "/analytics/api/stream");
        snapshotRequest.Headers.Accept.ParseAdd("application/json");
        using var snapshotResponse = await host.Client.SendAsync(snapshotRequest);
        var snapshot = System.Text.Json.JsonDocument.Parse(await snapshotResponse.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(4, overview.GetProperty("uniqueUsers").GetInt64());
        Assert.Equal(4, overview.GetProperty("uniqueClients").GetInt64());
        // The requests may straddle a minute: every minute has at most the four, together at least the four.
        var points = series.GetProperty("points").EnumerateArray().Where(p => p.GetProperty("count").GetInt64() > 0).ToList();
        Assert.Equal(13, points.Sum(p => p.GetProperty("count").GetInt64()));
        Assert.All(points, p => Assert.InRange(p.GetProperty("uniqueUsers").GetInt64(), 1, 4));
        Assert.InRange(points.Sum(p => p.GetProperty("uniqueUsers").GetInt64()), 4, 8);
        Assert.Equal(4, snapshot.GetProperty("stats").GetProperty("uniqueUsers").GetInt64());
        Assert.Equal(4, snapshot.GetProperty("stats").GetProperty("uniqueClients").GetInt64());
    }
}
