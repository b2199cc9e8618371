using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.VisualBasic.FileIO;

namespace Analytics.AspNetCore.Tests.Endpoints.Export;

public class ExportTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ACsvExportOfRequestsParsesBackToEveryRowWithHostileCellsDefused()
    {
        await using var host = await EndpointTestApp.StartAsync();
        const int count = 2_345; // more than two pages of the export's reads
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/items/{i}");
            if (i == 7)
            {
                request.Headers.TryAddWithoutValidation("User-Agent", "=HYPERLINK(\"http://evil.example\",\"x\"), with \"quotes\"");
            }

            (await host.Client.SendAsync(request, ct)).Dispose();
        });
        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        using var response = await host.Client.GetAsync("/analytics/api/export?format=csv&dataset=requests&range=1h");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.EndsWith(".csv", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        using var parser = new TextFieldParser(await response.Content.ReadAsStreamAsync()) { Delimiters = [","], HasFieldsEnclosedInQuotes = true };
        var header = parser.ReadFields()!;
        var rows = new List<string[]>();
        while (!parser.EndOfData)
        {
            rows.Add(parser.ReadFields()!);
        }

        Assert.Equal("id", header[0]);
        Assert.Equal(count, rows.Count);
        Assert.All(rows, r => Assert.Equal(header.Length, r.Length));
        Assert.Equal(count, rows.Select(r => r[Array.IndexOf(header, "path")]).Distinct().Count());
        var hostile = Assert.Single(rows, r => r[Array.IndexOf(header, "path")] == "/items/7")[Array.IndexOf(header, "userAgent")];
        Assert.StartsWith("'=HYPERLINK(\"http://evil.example\"", hostile);
    }

    [Fact]
    public async Task AJsonExportOfRollupsCountsEveryRequest()
    {
        await using var host = await EndpointTestApp.StartAsync();
        for (int i = 0; i < 30; i++)
        {
            (await host.Client.GetAsync(i % 3 == 0 ? "/status/503" : $"/items/{i}")).Dispose();
        }

        await host.Pipeline.FlushAsync().AsTask().WaitAsync(Deadline);

        using var response = await host.Client.GetAsync("/analytics/api/export?format=json&dataset=rollups&range=1h");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var rows = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray().ToList();

        Assert.All(rows, r => Assert.Equal("minute", r.GetProperty("granularity").GetString()));
        Assert.Equal(30, rows.Sum(r => r.GetProperty("count").GetInt64()));
        Assert.Equal(10, rows.Where(r => r.GetProperty("statusCode").GetInt32() == 503).Sum(r => r.GetProperty("errors").GetInt64()));
        Assert.All(rows, r => Assert.True(r.GetProperty("p99").GetDouble() >= r.GetProperty("p50").GetDouble()));
    }

    [Fact]
    public async Task ExportsCarryTheConsumerAndReleaseOfRequestsAndTheReleaseOfRollups()
    {
        await using var host = await EndpointTestApp.StartAsync();
        var now = host.App.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var batch = new Analytics.Storage.AnalyticsBatch();
        foreach (var (second, consumer, release) in new[] { (1, "mobile", "1.0"), (2, "=cmd", "2.0"), (3, (string?)null, "2.0") })
        {
            batch.AddRequest(new RequestRecord
            {
                Timestamp = now.AddSeconds(-second), Method = "GET", Route = "/items/{id}", Path = "/items/1", StatusCode = 200,
                Duration = TimeSpan.FromMilliseconds(5), Consumer = consumer, Release = release,
            });
        }

        await host.Store.WriteBatchAsync(batch, default);

        using var csv = await host.Client.GetAsync("/analytics/api/export?format=csv&dataset=requests&range=1h");
        using var parser = new TextFieldParser(await csv.Content.ReadAsStreamAsync()) { Delimiters = [","], HasFieldsEnclosedInQuotes = true };
        var header = parser.ReadFields()!;
        var rows = new List<string[]>();
        while (!parser.EndOfData)
        {
            rows.Add(parser.ReadFields()!);
        }

        Assert.Equal(
            [("mobile", "1.0"), ("'=cmd", "2.0"), ("", "2.0")],
            rows.Select(r => (r[Array.IndexOf(header, "consumer")], r[Array.IndexOf(header, "release")])));

        using var json = await host.Client.GetAsync("/analytics/api/export?format=json&dataset=requests&range=1h");
        var items = JsonDocument.Parse(await json.Content.ReadAsStringAsync()).RootElement.EnumerateArray().ToList();
        Assert.Equal(JsonValueKind.Null, items[2].GetProperty("consumer").ValueKind);
        Assert.Equal("=cmd", items[1].GetProperty("consumer").GetString());

        using var rollups = await host.Client.GetAsync("/analytics/api/export?format=json&dataset=rollups&range=1h");
        var releases = JsonDocument.Parse(await rollups.Content.ReadAsStringAsync()).RootElement.EnumerateArray()
            .Select(r => (r.GetProperty("release").GetString(), r.GetProperty("count").GetInt64()));
        Assert.Equal([("1.0", 1L), ("2.0", 2L)], releases.Order());
    }

    [Theory]
    [InlineData("format=xml", "format")]
    [InlineData("dataset=users", "dataset")]
    [InlineData("format=csv&format=json", "format")]
    [InlineData("range=1y", "range")]
    [InlineData("dataset=rollups&range=90d&granularity=minute&status=7xx", "status")]
    public async Task BadExportParametersAreA400NamingThem(string query, string parameter)
    {
        await using var host = await EndpointTestApp.StartAsync();

        using var response = await host.Client.GetAsync("/analytics/api/export?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty(parameter, out _));
    }

    [Theory]
    [InlineData("plain", true, "plain")]
    [InlineData("=1+1", true, "'=1+1")]
    [InlineData("+1", true, "'+1")]
    [InlineData("-1", true, "'-1")]
    [InlineData("@SUM(A1)", true, "'@SUM(A1)")]
    [InlineData("-1", false, "-1")]
    [InlineData("a,b", true, "\"a,b\"")]
    [InlineData("say \"hi\"", true, "\"say \"\"hi\"\"\"")]
    [InlineData("line\nbreak", true, "\"line\nbreak\"")]
    [InlineData("", true, "")]
    [InlineData(null, true, "")]
    public void CsvCellsFollowRfc4180AndDefuseFormulas(string? value, bool isText, string expected)
    {
        Assert.Equal(expected, Analytics.AspNetCore.Endpoints.Export.CsvCell(value, isText));
    }
}
