using System.Net;
using System.Text.Json;
using Analytics.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Analytics.AspNetCore.Tests.Endpoints.Api;

/// <summary>Error groups end to end: sanitized traces, fingerprints, occurrences with trace ids, resolve and regress.</summary>
public sealed class ErrorTrackingTests
{
    private const string QuerySecret = "q-secret-4f9d1c";
    private const string HeaderSecret = "h-secret-77ab30e1";
    private const string CookieSecret = "c-secret-90aa";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task StackTracesAndMessagesNeverCarryQueryStringsOrHeaderValues()
    {
        await using var host = await StartAsync();

        await FailAsync(host, "0af7651916cd43dd8448eb211c80319c");
        var stored = Assert.Single((await host.Store.ReadRequestsAsync(new RawQuery { From = DateTimeOffset.UnixEpoch, To = DateTimeOffset.UtcNow.AddDays(1) }, default)).Select(r => r.Request));

        Assert.NotNull(stored.StackTrace);
        Assert.StartsWith("System.InvalidOperationException\n", stored.StackTrace);
        Assert.Contains("Caused by: System.FormatException", stored.StackTrace);
        Assert.Contains(nameof(Leaky), stored.StackTrace);
        Assert.NotNull(stored.ExceptionMessage);
        foreach (var text in new[] { stored.StackTrace!, stored.ExceptionMessage! })
        {
            Assert.DoesNotContain(QuerySecret, text);
            Assert.DoesNotContain(HeaderSecret, text);
            Assert.DoesNotContain(CookieSecret, text);
            Assert.DoesNotContain("token=", text);
        }

        Assert.Contains(ExceptionCaptureRedacted, stored.ExceptionMessage);
        Assert.Matches("^[0-9a-f]{16}$", stored.ErrorFingerprint);
    }

    [Fact]
    public async Task AGroupShowsItsOccurrencesAndAResolvedGroupReopensAsRegressed()
    {
        await using var host = await StartAsync();
        await FailAsync(host, "0af7651916cd43dd8448eb211c80319c");
        await FailAsync(host, "1bf7651916cd43dd8448eb211c80319d");
        (await host.Client.GetAsync("/status/503")).Dispose();
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        var errors = (await host.GetJsonAsync("/analytics/api/errors?range=1h")).EnumerateArray().ToList();
        Assert.Equal(2, errors.Count);
        var thrown = errors.Single(e => e.GetProperty("exceptionType").ValueKind == JsonValueKind.String);
        var status = errors.Single(e => e.GetProperty("exceptionType").ValueKind == JsonValueKind.Null);
        Assert.Equal(2, thrown.GetProperty("count").GetInt64());
        Assert.Equal("high", thrown.GetProperty("severity").GetString());
        Assert.Equal("medium", status.GetProperty("severity").GetString());
        Assert.False(thrown.GetProperty("resolved").GetBoolean());
        string fingerprint = thrown.GetProperty("fingerprint").GetString()!;

        var detail = await host.GetJsonAsync($"/analytics/api/errors/{fingerprint}");
        Assert.Equal(2, detail.GetProperty("group").GetProperty("count").GetInt64());
        Assert.Contains(nameof(Leaky), detail.GetProperty("stackTrace").GetString());
        Assert.Equal(
            ["1bf7651916cd43dd8448eb211c80319d", "0af7651916cd43dd8448eb211c80319c"],
            detail.GetProperty("occurrences").EnumerateArray().Select(o => o.GetProperty("traceId").GetString()));

        using (var resolve = await host.Client.PostAsync($"/analytics/api/errors/{fingerprint}/resolve", null))
        {
            Assert.Equal(HttpStatusCode.OK, resolve.StatusCode);
            var resolved = JsonDocument.Parse(await resolve.Content.ReadAsStringAsync()).RootElement.GetProperty("group");
            Assert.NotEqual(JsonValueKind.Null, resolved.GetProperty("resolvedAt").ValueKind);
            Assert.False(resolved.GetProperty("regressed").GetBoolean());
        }

        var afterResolve = (await host.GetJsonAsync("/analytics/api/errors?range=1h")).EnumerateArray().Single(e => e.GetProperty("fingerprint").GetString() == fingerprint);
        Assert.True(afterResolve.GetProperty("resolved").GetBoolean());

        await FailAsync(host, "2cf7651916cd43dd8448eb211c80319e");

        var reopened = (await host.GetJsonAsync($"/analytics/api/errors/{fingerprint}")).GetProperty("group");
        Assert.Equal(JsonValueKind.Null, reopened.GetProperty("resolvedAt").ValueKind);
        Assert.True(reopened.GetProperty("regressed").GetBoolean());
        Assert.Equal(3, reopened.GetProperty("count").GetInt64());
        var listed = (await host.GetJsonAsync("/analytics/api/errors?range=1h")).EnumerateArray().Single(e => e.GetProperty("fingerprint").GetString() == fingerprint);
        Assert.True(listed.GetProperty("regressed").GetBoolean());
        Assert.False(listed.GetProperty("resolved").GetBoolean());
    }

    [Theory]
    [InlineData("/analytics/api/errors/not-a-fingerprint", "fingerprint")]
    [InlineData("/analytics/api/errors/ABCDEF0123456789", "fingerprint")]
    [InlineData("/analytics/api/errors/0123456789abcdef?limit=0", "limit")]
    [InlineData("/analytics/api/errors/0123456789abcdef?limit=1001", "limit")]
    [InlineData("/analytics/api/errors/0123456789abcdef?limit=ten", "limit")]
    public async Task BadFingerprintsAndLimitsAre400sNamingTheParameter(string path, string parameter)
    {
        await using var host = await StartAsync();

        using var response = await host.Client.GetAsync(path);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), problem.ToString());
    }

    [Fact]
    public async Task AnUnknownGroupIsA404ForReadingAndResolving()
    {
        await using var host = await StartAsync();

        using var get = await host.Client.GetAsync("/analytics/api/errors/0123456789abcdef");
        using var resolve = await host.Client.PostAsync("/analytics/api/errors/0123456789abcdef/resolve", null);

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, resolve.StatusCode);
        Assert.Equal("application/problem+json", resolve.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task SeverityFollowsTheConfiguredClassification()
    {
        await using var host = await StartAsync(o => o.ClassifyError = r => r.StatusCode == 503 ? ErrorSeverity.Low : throw new InvalidOperationException("a broken classifier"));
        (await host.Client.GetAsync("/status/503")).Dispose();
        await FailAsync(host, "0af7651916cd43dd8448eb211c80319c");

        var errors = (await host.GetJsonAsync("/analytics/api/errors?range=1h")).EnumerateArray().ToList();

        Assert.Equal("low", errors.Single(e => e.GetProperty("statusCode").GetInt32() == 503).GetProperty("severity").GetString());
        Assert.Equal("high", errors.Single(e => e.GetProperty("statusCode").GetInt32() == 500).GetProperty("severity").GetString());
    }

    private const string ExceptionCaptureRedacted = "[redacted]";

    private static Task<AnalyticsTestHost> StartAsync(Action<RequestAnalyticsOptions>? configure = null) =>
        AnalyticsTestHost.StartAsync(
            app =>
            {
                app.MapGet("/leaky", (HttpContext context) => Leaky(context));
                app.MapGet("/status/{code:int}", (int code) => Results.StatusCode(code));
                app.MapRequestAnalytics("/analytics");
            },
            configure);

    /// <summary>Throws as careless code does: the request's query string and credentials pasted into messages.</summary>
    private static string Leaky(HttpContext context)
    {
        try
        {
            throw new FormatException($"cannot parse {context.Request.Headers.Authorization} for {context.Request.Query["token"]}");
        }
        catch (FormatException inner)
        {
            throw new InvalidOperationException(
                $"Request {context.Request.Path}{context.Request.QueryString} failed; auth '{context.Request.Headers.Authorization}', cookie {context.Request.Cookies["session"]}, api key {context.Request.Headers["X-Api-Key"]}",
                inner);
        }
    }

    private static async Task FailAsync(AnalyticsTestHost host, string traceId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/leaky?token={QuerySecret}&page=2");
        request.Headers.Add("Authorization", $"Bearer {HeaderSecret}");
        request.Headers.Add("X-Api-Key", HeaderSecret);
        request.Headers.Add("Cookie", $"session={CookieSecret}");
        request.Headers.Add("traceparent", $"00-{traceId}-b7ad6b7169203331-01");
        using var response = await host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);
    }
}
