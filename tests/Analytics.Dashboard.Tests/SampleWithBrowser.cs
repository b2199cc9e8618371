using Analytics.Testing;
using Microsoft.Playwright;

namespace Analytics.Dashboard.Tests;

/// <summary>
/// The sample on 127.0.0.1 (no demo traffic: the tests make the traffic they check) and Debian's chromium driven by
/// Playwright, never a downloaded browser. A missing chromium fails the tests, naming it.
/// </summary>
public class SampleWithBrowser : IAsyncLifetime
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

    /// <summary>Gets more command-line arguments for the sample, for fixtures that need other options.</summary>
    protected virtual IEnumerable<string> Arguments => [];

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing (Debian package chromium): run ./test.sh, which installs it.");
        (_sample, Origin) = await TestProcess.StartSampleAsync(
        [
            "--no-demo-traffic",
            "--Sample:Database", _directory.File("sample.db"),
            "--RequestAnalytics:StatsInterval", "00:00:01",
            "--RequestAnalytics:FlushInterval", "00:00:00.200",
            .. Arguments,
        ]);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });
        Directory.CreateDirectory(Screenshots);
        await StartedAsync();
    }

    /// <summary>Runs once the sample and the browser are up, for fixtures that make traffic their tests share.</summary>
    protected virtual Task StartedAsync() => Task.CompletedTask;

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
}
