// Shared by every consumer app of the matrix (tests/Analytics.AspNetCore.Tests/ConsumerMatrixTests.cs): GET /matrix
// drives the app's own traffic against itself, then asks the library, through its public API only, what it recorded.
// The answer is one line per check, "PASS name: detail" or "FAIL name: detail", which the test reads.
using System.Text;
using Analytics;

namespace ConsumerMatrix;

public sealed class MatrixRun(HttpClient client, IAnalyticsQueries queries, IAnalyticsPipeline pipeline)
{
    private readonly StringBuilder _report = new();
    private readonly DateTimeOffset _from = DateTimeOffset.UtcNow.AddMinutes(-5);

    public HttpClient Client { get; } = client;

    public IAnalyticsQueries Queries { get; } = queries;

    public AnalyticsQuery Query(string? route = null) => new() { From = _from, To = DateTimeOffset.UtcNow.AddMinutes(1), Route = route, Limit = 1000 };

    /// <summary>Everything recorded so far, as the request log has it (newest first).</summary>
    public async Task<IReadOnlyList<RequestLogEntry>> RecordedAsync()
    {
        // The client can hold a whole response before the server has finished the request (and recorded it). One more
        // request on the same keep-alive connection (excluded, so not recorded) starts only once the last one ended.
        await Client.GetAsync("/matrix/settle");
        await pipeline.FlushAsync();
        return (await Queries.GetRequestsAsync(Query(), default)).Items;
    }

    /// <summary>Reads what was recorded until <paramref name="done"/> holds or 20 s have passed.</summary>
    public async Task<IReadOnlyList<RequestLogEntry>> RecordedAsync(Func<IReadOnlyList<RequestLogEntry>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var rows = await RecordedAsync();
            if (done(rows) || DateTime.UtcNow > deadline)
            {
                return rows;
            }

            await Task.Delay(50);
        }
    }

    public void Check(string name, bool pass, string detail) =>
        _report.Append(pass ? "PASS " : "FAIL ").Append(name).Append(": ").Append(detail.ReplaceLineEndings(" ")).Append('\n');

    public void Equal<T>(string name, T expected, T actual) =>
        Check(name, EqualityComparer<T>.Default.Equals(expected, actual), $"expected {expected}, got {actual}");

    public override string ToString() => _report.ToString();

    /// <summary>Runs a scenario; an exception it throws is a failed check, not a 500.</summary>
    internal static async Task<string> RunAsync(HttpContext context, Func<MatrixRun, Task> scenario)
    {
        var self = $"{context.Request.Scheme}://{context.Request.Host}";
        using var client = new HttpClient { BaseAddress = new Uri(self), Timeout = TimeSpan.FromSeconds(60) };
        if (context.Request.Protocol == "HTTP/2")
        {
            // An endpoint that speaks cleartext HTTP/2 only (the gRPC app): ask for it with prior knowledge.
            client.DefaultRequestVersion = System.Net.HttpVersion.Version20;
            client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        var services = context.RequestServices;
        var run = new MatrixRun(client, services.GetRequiredService<IAnalyticsQueries>(), services.GetRequiredService<IAnalyticsPipeline>());
        try
        {
            await scenario(run);
        }
        catch (Exception ex)
        {
            run.Check("scenario", false, ex.ToString());
        }

        return run.ToString();
    }
}

public static class MatrixEndpoint
{
    /// <summary>Maps <c>GET /matrix</c>, which runs <paramref name="scenario"/> and answers its report as text.</summary>
    public static void MapMatrix(this WebApplication app, Func<MatrixRun, Task> scenario) =>
        app.MapGet("/matrix", async context => await context.Response.WriteAsync(await MatrixRun.RunAsync(context, scenario)));
}
