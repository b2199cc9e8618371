using Analytics.Storage;
using Analytics.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace Analytics.AspNetCore.Tests;

public class StartupTests
{
    [Fact]
    public void UseRequestAnalyticsWithoutAddThrowsSayingWhatToCall()
    {
        var app = WebApplication.CreateBuilder().Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.UseRequestAnalytics());

        Assert.Contains("AddRequestAnalytics()", error.Message);
    }

    [Fact]
    public async Task MapRequestAnalyticsWithoutAddRequestAnalyticsSaysWhatToCall()
    {
        var builder = WebApplication.CreateBuilder();
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapRequestAnalytics());
        Assert.Contains("AddRequestAnalytics()", error.Message);
    }

    [Fact]
    public async Task ABadOptionInCodeStopsTheHostWithAMessageNamingIt()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(o => o.BatchSize = 0));

        Assert.Contains("RequestAnalytics:BatchSize", error.Message);
    }

    [Fact]
    public async Task ABadOptionInConfigurationStopsTheHostWithAMessageNamingIt()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(settings: new() { ["RequestAnalytics:RawSampleRate"] = "7" }));

        Assert.Contains("RequestAnalytics:RawSampleRate", error.Message);
    }

    [Fact]
    public async Task AValueThatIsNotANumberStopsTheHostNamingTheSetting()
    {
        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => StartAsync(settings: new() { ["RequestAnalytics:QueueCapacity"] = "lots" }));

        Assert.Contains("RequestAnalytics:QueueCapacity", error.Message);
    }

    public static TheoryData<string, string> BadAlertFormatSettings => new()
    {
        { "RequestAnalytics:Webhooks:Subscriptions:0:Format", "sms" },
        { "RequestAnalytics:DashboardUrl", "/analytics" },
        { "RequestAnalytics:DashboardUrl", "ftp://ops.example.com/analytics" },
    };

    [Theory]
    [MemberData(nameof(BadAlertFormatSettings))]
    public async Task ABadWebhookFormatOrDashboardUrlInConfigurationStopsTheHostNamingIt(string setting, string value)
    {
        var settings = new Dictionary<string, string?>
        {
            ["RequestAnalytics:Webhooks:Subscriptions:0:Id"] = "chat",
            ["RequestAnalytics:Webhooks:Subscriptions:0:Url"] = "https://hooks.slack.com/services/T0/B0/x",
            ["RequestAnalytics:Webhooks:Subscriptions:0:EventTypes:0"] = "alert.triggered",
            ["RequestAnalytics:Webhooks:Subscriptions:0:Format"] = "slack",
            [setting] = value,
        };

        var error = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(settings: settings));

        Assert.Contains(setting, error.Message);
    }

    [Fact]
    public async Task ConfigurationIsBoundFirstAndTheDelegateAppliesAfter()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RequestAnalytics:QueueCapacity"] = "1000",
            ["RequestAnalytics:BatchSize"] = "100",
            ["RequestAnalytics:FlushInterval"] = "00:00:02",
            ["RequestAnalytics:Retention:Raw"] = "3.00:00:00",
            ["RequestAnalytics:ExcludePaths:0"] = "/internal",
        });
        builder.Services.AddRequestAnalytics(o => o.BatchSize = 50);
        builder.Services.AddRequestAnalytics(); // a second call must not bind the lists twice
        await using var app = builder.Build();

        var options = app.Services.GetRequiredService<IOptions<RequestAnalyticsOptions>>().Value;

        Assert.Equal(1000, options.QueueCapacity);
        Assert.Equal(50, options.BatchSize);
        Assert.Equal(TimeSpan.FromSeconds(2), options.FlushInterval);
        Assert.Equal(TimeSpan.FromDays(3), options.Retention.Raw);
        Assert.Equal(["/health", "/favicon.ico", "/internal"], options.ExcludePaths);
    }

    [Fact]
    public void UseSqliteRefusesAnEmptyPath()
    {
        var services = new ServiceCollection();

        Assert.ThrowsAny<ArgumentException>(() => services.AddRequestAnalytics().UseSqlite(""));
        Assert.ThrowsAny<ArgumentException>(() => services.AddRequestAnalytics().UseSqlite("   "));
    }

    [Fact]
    public void WithoutAStoreChosenTheSqliteFileIsOutsideTheWatchedContentRootAndItsPlaceIsLogged()
    {
        using var root = new TempDirectory();
        var logs = new FakeLogCollector();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = root.Path, ApplicationName = "Orders.Api" });
        builder.Logging.ClearProviders().AddProvider(new FakeLoggerProvider(logs));
        builder.Services.AddRequestAnalytics();
        using var app = builder.Build();

        var store = Assert.IsType<Analytics.Sqlite.SqliteAnalyticsStore>(app.Services.GetRequiredService<IAnalyticsStore>());
        using var created = new FolderRemover(Path.GetDirectoryName(store.FilePath)!); // the folder is made when the store is

        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        Assert.Equal(Path.Combine(data, "Analytics", Analytics.Sqlite.SqliteDefaultLocation.Folder("Orders.Api", root.Path), "analytics.db"), store.FilePath);
        Assert.DoesNotContain(root.Path, store.FilePath, StringComparison.Ordinal);
        Assert.Matches(@"Orders\.Api-[0-9a-f]{8}$", Path.GetFileName(Path.GetDirectoryName(store.FilePath)));
        Assert.Contains(logs.GetSnapshot(), e => e.Id.Name == "DefaultDatabase" && e.Message.Contains(store.FilePath, StringComparison.Ordinal));
    }

    private sealed class FolderRemover(string path) : IDisposable
    {
        public void Dispose()
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }

    private static async Task StartAsync(Action<RequestAnalyticsOptions>? configure = null, Dictionary<string, string?>? settings = null)
    {
        using var directory = new Analytics.Testing.TempDirectory();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = directory.Path });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.Services.AddRequestAnalytics(configure);
        await using var app = builder.Build();
        app.UseRequestAnalytics();
        await app.StartAsync();
        await app.StopAsync();
    }
}
