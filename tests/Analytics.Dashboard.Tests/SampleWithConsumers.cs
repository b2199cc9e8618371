using System.Globalization;
using System.Text.Json;
using Analytics.Testing;
using Microsoft.Playwright;

namespace Analytics.Dashboard.Tests;

/// <summary>
/// The sample run twice on one database: as release 1.0.0 and then as 2.0.0, each called by the consumers alpha, beta
/// and gamma (header <c>X-Client-Id</c>). Release 1.0.0 serves 13 requests, none failed, gamma's three taking a second;
/// then release 2.0.0 is warmed up with requests to a path left unrecorded (a new process's first requests are slow), and
/// from <see cref="Boundary"/>, the next whole minute after 1.0.0's traffic, serves 22 plus beta's <c>/flaky</c> calls up
/// to two failures, gamma's fast. A range starting at the boundary so compares, as <c>previous-period</c>, with release
/// 1.0.0's traffic alone: more requests, more errors, a lower p95.
/// </summary>
public sealed class SampleWithConsumers : IAsyncLifetime
{
    public const string Header = "X-Client-Id";

    private readonly TempDirectory _directory = new();
    private readonly Dictionary<string, int> _sent = new(StringComparer.Ordinal);
    private TestProcess? _sample;
    private IPlaywright? _playwright;

    public string Origin { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    public HttpClient Client { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Gets the start of the minute in which release 2.0.0's traffic began; release 1.0.0's all came before.</summary>
    public DateTimeOffset Boundary { get; private set; }

    /// <summary>Gets how many requests each consumer made, over both releases.</summary>
    public IReadOnlyDictionary<string, int> Sent => _sent;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(SampleWithBrowser.Chromium), $"{SampleWithBrowser.Chromium} is missing (Debian package chromium): run ./test.sh, which installs it.");
        var database = _directory.File("sample.db");
        string[] Arguments(string release) =>
        [
            "--no-demo-traffic",
            "--Sample:Database", database,
            "--RequestAnalytics:StatsInterval", "00:00:01",
            "--RequestAnalytics:FlushInterval", "00:00:00.200",
            "--RequestAnalytics:ConsumerHeader", Header,
            "--RequestAnalytics:Release", release,
            "--RequestAnalytics:ExcludePaths:0", "/users", // added to the defaults: the warm-up's path
        ];

        var (first, firstOrigin) = await TestProcess.StartSampleAsync(Arguments("1.0.0"));
        await using (first)
        {
            Origin = firstOrigin;
            for (var i = 1; i <= 6; i++)
            {
                await SendAsync("alpha", $"/items/{i}");
            }

            for (var i = 1; i <= 4; i++)
            {
                await SendAsync("beta", $"/items/{i + 10}");
            }

            for (var i = 0; i < 3; i++)
            {
                await SendAsync("gamma", "/slow?ms=1000");
            }

            await RecordedAsync(13);
        }

        // Release 2.0.0's requests fall in later minutes than every one of 1.0.0's.
        var now = DateTimeOffset.UtcNow;
        Boundary = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        (_sample, Origin) = await TestProcess.StartSampleAsync(Arguments("2.0.0"));
        for (var i = 1; i <= 5; i++)
        {
            (await Client.GetAsync($"{Origin}/users/warm-up/orders/{i}")).Dispose();
        }

        await Wait.UntilAsync(() => DateTimeOffset.UtcNow >= Boundary, TimeSpan.FromSeconds(90), "the next minute starts");
        for (var i = 1; i <= 20; i++)
        {
            await SendAsync("alpha", $"/items/{i}");
        }

        for (var failures = 0; failures < 2;)
        {
            failures += await SendAsync("beta", "/flaky") >= 500 ? 1 : 0;
        }

        for (var i = 0; i < 2; i++)
        {
            await SendAsync("gamma", "/ping");
        }

        await RecordedAsync(_sent.Values.Sum());

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = SampleWithBrowser.Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });
        Directory.CreateDirectory(SampleWithBrowser.Screenshots);
    }

    /// <summary>Gets an API read of the running sample (<c>overview?range=1h</c>).</summary>
    public async Task<JsonElement> ApiAsync(string pathAndQuery) =>
        JsonDocument.Parse(await Client.GetStringAsync($"{Origin}/analytics/api/{pathAndQuery}")).RootElement;

    /// <summary>A time as the page writes it into its URL (<c>toISOString</c>), form-encoded.</summary>
    public static string UrlTime(DateTimeOffset time) =>
        Uri.EscapeDataString(time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_sample is not null)
        {
            await _sample.DisposeAsync();
        }

        Client.Dispose();
        _directory.Dispose();
    }

    private async Task<int> SendAsync(string consumer, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Origin + path);
        request.Headers.Add(Header, consumer);
        using var response = await Client.SendAsync(request);
        _sent[consumer] = _sent.GetValueOrDefault(consumer) + 1;
        return (int)response.StatusCode;
    }

    /// <summary>Waits until the store answers every request sent, in total and per consumer.</summary>
    private async Task RecordedAsync(int total)
    {
        await Wait.UntilAsync(async () => (await ApiAsync("overview?range=1h")).GetProperty("totalRequests").GetInt64() >= total, TimeSpan.FromSeconds(30), $"the sample records {total} requests");
        await Wait.UntilAsync(
            async () => (await ApiAsync("consumers?range=1h")).EnumerateArray().Sum(c => c.GetProperty("count").GetInt64()) >= total,
            TimeSpan.FromSeconds(30),
            $"the sample records {total} requests per consumer");
    }
}
