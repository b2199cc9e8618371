using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Tests.Recording;

/// <summary>Known traffic on real Kestrel, read back through <see cref="IAnalyticsQueries"/>: every count exact.</summary>
public class RecordedTrafficQueryTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private sealed record Sent(string Method, string Path, string Route, int Status, string? ExceptionType = null)
    {
        public bool IsError => Status >= 500;
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.0)]
    public async Task KnownTrafficIsCountedExactlyByEveryQueryGroupedByRouteTemplate(double rawSampleRate)
    {
        await using var host = await AnalyticsTestHost.StartAsync(
            app =>
            {
                app.MapGet("/items/{id:int}", (int id) => Results.Ok(new { id }));
                app.MapPost("/orders", () => Results.Created("/orders/1", new { id = 1 }));
                app.MapGet("/status/{code:int}", (int code) => Results.StatusCode(code));
                app.MapGet("/fail", string () => throw new InvalidOperationException("boom"));
                app.MapGet("/health", () => "ok");
            },
            o => o.RawSampleRate = rawSampleRate);

        var traffic = new List<Sent>();
        traffic.AddRange(Enumerable.Range(1, 37).Select(i => new Sent("GET", $"/items/{i}", "/items/{id:int}", 200)));
        traffic.AddRange(Enumerable.Range(1, 7).Select(_ => new Sent("POST", "/orders", "/orders", 201)));
        foreach (var (code, times) in new[] { (404, 5), (500, 4), (503, 3), (202, 6) })
        {
            traffic.AddRange(Enumerable.Range(0, times).Select(_ => new Sent("GET", $"/status/{code}", "/status/{code:int}", code)));
        }

        traffic.AddRange(Enumerable.Range(0, 4).Select(_ => new Sent("GET", "/fail", "/fail", 500, typeof(InvalidOperationException).FullName)));
        traffic.AddRange(Enumerable.Range(0, 6).Select(i => new Sent("GET", $"/nowhere/{i}", "(unmatched)", 404)));
        traffic.AddRange(Enumerable.Range(0, 3).Select(i => new Sent("DELETE", $"/nowhere/{i}", "(unmatched)", 404)));

        var started = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(traffic.Concat(Enumerable.Range(0, 3).Select(_ => new Sent("GET", "/health", "excluded", 200))), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (sent, ct) =>
        {
            using var response = await host.Client.SendAsync(new HttpRequestMessage(new HttpMethod(sent.Method), sent.Path), ct);
            Assert.Equal((HttpStatusCode)sent.Status, response.StatusCode);
        });
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        var queries = host.App.Services.GetRequiredService<IAnalyticsQueries>();
        var range = new AnalyticsQuery { From = started.AddMinutes(-1), To = DateTimeOffset.UtcNow.AddMinutes(1) };

        var overview = await queries.GetOverviewAsync(range, default);
        Assert.Equal(traffic.Count, overview.TotalRequests);
        Assert.Equal(traffic.Count(t => t.IsError), overview.ErrorRequests);
        Assert.Equal((double)traffic.Count(t => t.IsError) / traffic.Count, overview.ErrorRate, 12);

        var routes = await queries.GetRoutesAsync(range, default);
        var expectedRoutes = traffic.GroupBy(t => (t.Route, t.Method)).ToDictionary(g => g.Key, g => ((long)g.Count(), (long)g.Count(t => t.IsError)));
        Assert.Equal(expectedRoutes, routes.ToDictionary(r => (r.Route, r.Method), r => (r.Count, r.Errors)));
        Assert.Equal("/items/{id:int}", routes[0].Route);

        var codes = await queries.GetStatusCodesAsync(range, default);
        Assert.Equal(traffic.GroupBy(t => t.Status).ToDictionary(g => g.Key, g => (long)g.Count()), codes.ToDictionary(c => c.StatusCode, c => c.Count));

        var errors = await queries.GetErrorsAsync(range, default);
        var expectedErrors = traffic.Where(t => t.IsError).GroupBy(t => (t.Route, t.Method, t.Status, t.ExceptionType)).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.Equal(expectedErrors, errors.ToDictionary(e => (e.Route, e.Method, e.StatusCode, e.ExceptionType), e => e.Count));
        Assert.Equal("boom", Assert.Single(errors, e => e.ExceptionType is not null).Message);

        var series = await queries.GetTimeSeriesAsync(range, default);
        Assert.Equal(Granularity.Minute, series.Granularity);
        Assert.Equal(traffic.Count, series.Points.Sum(p => p.Count));
        Assert.Equal(traffic.Count(t => t.IsError), series.Points.Sum(p => p.Errors));
        if (rawSampleRate == 1.0)
        {
            // Each raw row's own timestamp says which minute it belongs to.
            var raw = await StoredRequests.ReadAllAsync(host.DatabasePath);
            var perMinute = raw.GroupBy(r => Granularity.Minute.Floor(r.Timestamp)).ToDictionary(g => g.Key, g => (long)g.Count());
            Assert.All(series.Points, p => Assert.Equal(perMinute.GetValueOrDefault(p.Time), p.Count));
        }
        else
        {
            // Rollups only, except failures: they are their error groups' occurrences.
            var raw = await StoredRequests.ReadAllAsync(host.DatabasePath);
            Assert.All(raw, r => Assert.True(r.IsError));
            Assert.Equal(traffic.Count(t => t.IsError), raw.Count);
        }

        var filtered = await queries.GetOverviewAsync(range with { Status = "5xx", Route = "/status/{code:int}" }, default);
        Assert.Equal(7, filtered.TotalRequests);
        var testing = await queries.GetOverviewAsync(range with { Environment = "Testing" }, default);
        Assert.Equal(traffic.Count, testing.TotalRequests);
        Assert.Equal(0, (await queries.GetOverviewAsync(range with { Environment = "Production" }, default)).TotalRequests);
    }
}
