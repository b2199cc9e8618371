using System.Net.Http.Headers;
using ConsumerMatrix;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddResponseCompression(o => o.EnableForHttps = true);
builder.Services.AddOutputCache();
builder.Services.AddRequestAnalytics(o => o.ExcludePaths.Add("/matrix"));

var app = builder.Build();
app.UseExceptionHandler("/error");
app.UseResponseCompression();
app.UseOutputCache();
app.UseRequestAnalytics();
app.MapGet("/error", () => Results.Problem("failed"));
app.MapGet("/report", () => Results.Text(string.Concat(Enumerable.Repeat("compressible analytics text ", 3_000)), "text/plain"));
app.MapGet("/cached", () => Results.Text(DateTime.UtcNow.ToString("O"))).CacheOutput();
app.MapGet("/fail", string () => throw new InvalidOperationException("boom"));
app.MapRequestAnalytics("/analytics");

app.MapMatrix(async run =>
{
    using var handler = new SocketsHttpHandler { AutomaticDecompression = System.Net.DecompressionMethods.None };
    using var raw = new HttpClient(handler) { BaseAddress = run.Client.BaseAddress };
    using var request = new HttpRequestMessage(HttpMethod.Get, "/report");
    request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
    using var compressed = await raw.SendAsync(request);
    var wire = (await compressed.Content.ReadAsByteArrayAsync()).Length;

    for (var i = 0; i < 5; i++)
    {
        (await run.Client.GetAsync("/cached")).EnsureSuccessStatusCode();
    }

    await run.Client.GetAsync("/fail");

    var rows = await run.RecordedAsync();
    var report = rows.Single(r => r.Path == "/report");
    run.Check("gzip on the wire", compressed.Content.Headers.ContentEncoding.Contains("gzip"), string.Join(",", compressed.Content.Headers.ContentEncoding));
    run.Equal("response bytes are the bytes on the wire", (long)wire, report.ResponseBytes);
    run.Equal("every output-cached request recorded", 5, rows.Count(r => r.Path == "/cached"));
    var failed = rows.Where(r => r.Path == "/fail").ToList();
    run.Equal("a failure behind the exception handler recorded once", 1, failed.Count);
    run.Check("as a 500 with its exception", failed.Count == 1 && failed[0].StatusCode == 500 && failed[0].ExceptionType == "System.InvalidOperationException",
        string.Join("; ", failed.Select(f => $"{f.StatusCode} {f.ExceptionType}")));
});
app.Run();
