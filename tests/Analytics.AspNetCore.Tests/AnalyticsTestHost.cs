using System.Net;
using System.Text.Json;
using Analytics.Pipeline;
using Analytics.Storage;
using Analytics.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Analytics.AspNetCore.Tests;

/// <summary>A real Kestrel host on 127.0.0.1, port 0, with analytics on an SQLite file in a temp folder.</summary>
public sealed class AnalyticsTestHost : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private bool _stopped;

    private AnalyticsTestHost(WebApplication app, TempDirectory directory, FakeLogCollector logs, string databasePath)
    {
        App = app;
        _directory = directory;
        Logs = logs;
        DatabasePath = databasePath;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient(new SettlingHandler(app.Services.GetRequiredService<RequestsInFlight>()) { InnerHandler = new SocketsHttpHandler() })
        {
            BaseAddress = new Uri(address),
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public FakeLogCollector Logs { get; }

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
        databasePath ??= directory.File("analytics.db"); // a given path outlives this host: a restart test starts a second one on it
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = directory.Path });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddFakeLogging().SetMinimumLevel(LogLevel.Debug);
        // First of the startup filters, so outermost: it sees a request end after the analytics recorder has recorded it.
        var inFlight = new RequestsInFlight();
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IStartupFilter>(inFlight));
        builder.Services.AddSingleton(inFlight);
        builder.Services.AddRequestAnalytics(configure).UseSqlite(databasePath);
        configureBuilder?.Invoke(builder);

        var app = builder.Build();
        beforeAnalytics?.Invoke(app);
        app.UseRequestAnalytics();
        afterAnalytics?.Invoke(app);
        mapEndpoints(app);
        await app.StartAsync();
        return new AnalyticsTestHost(app, directory, app.Services.GetFakeLogCollector(), databasePath);
    }

    /// <summary>Flushes the pipeline and reads back every raw row the host recorded.</summary>
    public async Task<IReadOnlyList<RequestRecord>> RecordedAsync()
    {
        await Pipeline.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        return await StoredRequests.ReadAllAsync(DatabasePath);
    }

    /// <summary>
    /// GETs <paramref name="path"/> and returns its JSON, failing with the answer unless it has the
    /// <paramref name="expected"/> status and is <c>application/json</c>.
    /// </summary>
    public async Task<JsonElement> GetJsonAsync(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await Client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{path} answered {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Serves <paramref name="path"/> as the web root (for static files and the SPA fallback).</summary>
    public static void UseWebRoot(WebApplicationBuilder builder, string path)
    {
        builder.Environment.WebRootPath = path;
        builder.Environment.WebRootFileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(path);
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

/// <summary>
/// The client can hold a whole response (one with a <c>Content-Length</c>) before the server has finished the request,
/// and so before the analytics recorder, which runs as the request ends, has queued its record: a flush right after
/// would miss it. The test host's client waits, after each such answer, until the server has finished that request.
/// </summary>
internal sealed class RequestsInFlight : IStartupFilter
{
    internal const string Header = "x-test-request";
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> _ended = new();

    public Task Ended(string id) => _ended.GetOrAdd(id, static _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Forget(string id) => _ended.TryRemove(id, out _);

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, inner) =>
        {
            try
            {
                await inner(context);
            }
            finally
            {
                if (context.Request.Headers[Header] is { Count: 1 } id)
                {
                    _ended.GetOrAdd(id.ToString(), static _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                }
            }
        });
        next(app);
    };
}

/// <summary>Sends each request with an id and returns its answer once the server has finished it (see <see cref="RequestsInFlight"/>).</summary>
internal sealed class SettlingHandler(RequestsInFlight inFlight) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N");
        request.Headers.Add(RequestsInFlight.Header, id);
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            // Only an answer of known length can reach the client whole before the request ends: a streamed (chunked)
            // one ends with the request, and is left unbuffered for the tests that read it as it comes.
            if (response.Content.Headers.ContentLength is not null)
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                await inFlight.Ended(id).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            }

            return response;
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The server did not finish {request.Method} {request.RequestUri} within 10 s of answering it.");
        }
        finally
        {
            inFlight.Forget(id);
        }
    }
}
