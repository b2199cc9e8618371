using System.Text.RegularExpressions;
using Analytics.Testing;
using Microsoft.Playwright;

namespace Analytics.Dashboard.Tests;

/// <summary>
/// The sample on 127.0.0.1 (no demo traffic: the tests make the traffic they check) and Debian's chromium driven by
/// Playwright, never a downloaded browser. A missing chromium fails the tests, naming it.
/// </summary>
public sealed partial class SampleWithBrowser : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private readonly TempDirectory _directory = new();
    private TestProcess? _sample;
    private IPlaywright? _playwright;

    public string Origin { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    public HttpClient Client { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Where the tests save their screenshots: TestResults/screenshots at the repository root.</summary>
    public static string Screenshots { get; } = Path.Combine(TestProcess.RepositoryRoot(), "TestResults", "screenshots");

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing (Debian package chromium): run ./test.sh, which installs it.");
        var sample = Path.Combine(TestProcess.RepositoryRoot(), "samples", "Analytics.Sample", "bin", TestProcess.Configuration, "net10.0", "Analytics.Sample.dll");
        _sample = TestProcess.Start(
            "dotnet", Path.GetDirectoryName(sample)!, sample, "--urls", "http://127.0.0.1:0", "--no-demo-traffic",
            "--Sample:Database", _directory.File("sample.db"),
            "--RequestAnalytics:StatsInterval", "00:00:01",
            "--RequestAnalytics:FlushInterval", "00:00:00.200");
        var listening = await _sample.WaitForLineAsync(l => ListeningOn().IsMatch(l), TimeSpan.FromSeconds(60), "the sample prints its address");
        Origin = ListeningOn().Match(listening).Value["listening on ".Length..];

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });
        Directory.CreateDirectory(Screenshots);
    }

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

    [GeneratedRegex(@"listening on http://127\.0\.0\.1:\d+")]
    private static partial Regex ListeningOn();
}
