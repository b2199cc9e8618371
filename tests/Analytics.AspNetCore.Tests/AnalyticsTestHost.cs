using Analytics.Pipeline;
using Analytics.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Analytics.AspNetCore.Tests;

/// <summary>A real Kestrel host on 127.0.0.1, port 0, with analytics on an SQLite file in a temp folder.</summary>
public sealed class AnalyticsTestHost : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private bool _stopped;

    private AnalyticsTestHost(WebApplication app, TempDirectory directory, CapturingLoggerProvider logs, string databasePath)
    {
        App = app;
        _directory = directory;
        Logs = logs;
        DatabasePath = databasePath;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public CapturingLoggerProvider Logs { get; }

    public string DatabasePath { get; }

    public IAnalyticsPipeline Pipeline => App.Services.GetRequiredService<IAnalyticsPipeline>();

    public IAnalyticsStore Store => App.Services.GetRequiredService<IAnalyticsStore>();

    internal AnalyticsWriter Writer => App.Services.GetRequiredService<AnalyticsWriter>();

    public static async Task<AnalyticsTestHost> StartAsync(
        Action<WebApplication> mapEndpoints,
        Action<RequestAnalyticsOptions>? configure = null,
        Action<WebApplicationBuilder>? configureBuilder = null,
        Action<WebApplication>? beforeAnalytics = null,
        Action<WebApplication>? afterAnalytics = null,
        string? databasePath = null)
    {
        var directory = new TempDirectory();
        var logs = new CapturingLoggerProvider();
        databasePath ??= directory.File("analytics.db"); // a given path outlives this host: a restart test starts a second one on it
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = directory.Path });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddRequestAnalytics(configure).UseSqlite(databasePath);
        configureBuilder?.Invoke(builder);

        var app = builder.Build();
        beforeAnalytics?.Invoke(app);
        app.UseRequestAnalytics();
        afterAnalytics?.Invoke(app);
        mapEndpoints(app);
        await app.StartAsync();
        return new AnalyticsTestHost(app, directory, logs, databasePath);
    }

    public async Task StopAsync()
    {
        _stopped = true;
        await App.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_stopped)
        {
            await App.StopAsync();
        }

        await App.DisposeAsync();
        _directory.Dispose();
    }
}
