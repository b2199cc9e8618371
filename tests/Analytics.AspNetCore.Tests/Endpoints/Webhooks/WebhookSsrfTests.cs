using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Analytics.Storage;
using Analytics.Testing;
using Analytics.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Tests.Endpoints.Webhooks;

/// <summary>
/// The dial-time SSRF guard. Only local targets are used: loopback ones have a listener that would see a connection,
/// and the private ones (10.0.0.1, 169.254.169.254) must be refused before any packet leaves.
/// </summary>
public sealed class WebhookSsrfTests : IDisposable
{
    private readonly TcpListener _listener4 = new(IPAddress.Loopback, 0);
    private readonly TcpListener _listener6;
    private readonly int _port;

    public WebhookSsrfTests()
    {
        _listener4.Start();
        _port = ((IPEndPoint)_listener4.LocalEndpoint).Port;
        _listener6 = new TcpListener(IPAddress.IPv6Loopback, _port);
        _listener6.Start();
    }

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("[::1]", "loopback")]
    [InlineData("localhost", "loopback")] // a host name that resolves to loopback
    [InlineData("[::ffff:127.0.0.1]", "loopback")] // IPv4-mapped
    [InlineData("10.0.0.1", "private")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("[64:ff9b:1::7f00:1]", "local-use NAT64")] // RFC 8215: refused whatever IPv4 it carries
    [InlineData("[::ffff:0:7f00:1]", "IPv4-translated")] // SIIT
    [InlineData("[64:ff9b::7f00:1]", "loopback")] // well-known NAT64 of 127.0.0.1
    [InlineData("[2002:7f00:1::1]", "6to4")]
    [InlineData("[2001:0:4136:e378:8000:63bf:80ff:fffe]", "Teredo")] // client 127.0.0.1
    [InlineData("[2001:db8::1]", "documentation")]
    public async Task AnInternalAddressIsRefusedAtDialTimeWithoutAConnection(string host, string kind)
    {
        using var client = new HttpClient(WebhookConnector.CreateHandler(allowPrivateNetworks: false)) { Timeout = TimeSpan.FromSeconds(20) };

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://{host}:{_port}/hook"));

        var refused = WebhookAttemptHandler.FindRefusal(error);
        Assert.NotNull(refused);
        Assert.Contains(kind, refused.Message);
        Assert.Contains("No connection was made", refused.Message);
        Assert.False(_listener4.Pending() || _listener6.Pending(), "a connection reached the listener");
    }

    [Fact]
    public async Task WithPrivateNetworksAllowedTheSameAddressIsDialled()
    {
        using var client = new HttpClient(WebhookConnector.CreateHandler(allowPrivateNetworks: true)) { Timeout = TimeSpan.FromSeconds(2) };

        // The listener never answers, so the request times out; what matters is that the connection arrived.
        var request = client.GetAsync($"http://127.0.0.1:{_port}/hook");
        await Wait.UntilAsync(() => _listener4.Pending(), TimeSpan.FromSeconds(10), "the connection arrives");
        await Assert.ThrowsAnyAsync<Exception>(() => request);
    }

    [Theory]
    [InlineData("http://[64:ff9b:1::7f00:1]:9099/", "local-use NAT64")] // what the adversarial run had created and delivered
    [InlineData("http://[::ffff:0:7f00:1]:9099/", "IPv4-translated")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/latest/meta-data", "link-local")]
    [InlineData("http://[2002:a9fe:a9fe::]/latest/meta-data", "6to4")]
    [InlineData("http://[2001:0:4136:e378:8000:63bf:5601:5601]/latest/meta-data", "Teredo")]
    [InlineData("http://[fec0::1]/hook", "site-local")]
    public async Task ASubscriptionToAnAddressCarryingIPv4IsRefusedWhenCreated(string url, string kind)
    {
        await using var host = await EndpointTestApp.StartAsync(o => o.FlushInterval = TimeSpan.FromMilliseconds(50));

        var response = await host.Client.PostAsync(
            "/analytics/api/webhooks", JsonContent.Create(new { url, eventTypes = new[] { WebhookEventTypes.Test } }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        var error = Assert.Single(errors.EnumerateObject());
        Assert.Equal("url", error.Name);
        Assert.Contains(kind, error.Value[0].GetString());
        Assert.Empty((await host.Client.GetFromJsonAsync<JsonElement[]>("/analytics/api/webhooks"))!);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("[64:ff9b:1::7f00:1]")]
    public async Task AStoredSubscriptionToAnInternalAddressIsRefusedAndLoggedAsSuch(string hostName)
    {
        // The URL check at creation refuses both; a stored subscription whose host later resolves to loopback (DNS
        // rebinding), or one stored before the rules knew the address, is what the dial-time check is for, so it is
        // put into the store directly.
        await using var host = await EndpointTestApp.StartAsync(
            o => o.FlushInterval = TimeSpan.FromMilliseconds(50),
            configureBuilder: b => b.Services.AddSingleton(WebhookTestApp.FastPolicy));
        var subscriptions = host.App.Services.GetRequiredService<WebhookSubscriptions>();
        await subscriptions.Store!.AddWebhookSubscriptionAsync(
            new WebhookSubscription { Id = "rebound", Url = $"http://{hostName}:{_port}/hook", EventTypes = [WebhookEventTypes.Test], Secrets = [WebhookSecret.Generate()] },
            default);
        await subscriptions.ReloadAsync(default);

        await WebhookTestApp.SendTestAsync(host, "rebound");
        await Wait.UntilAsync(async () => (await WebhookTestApp.DeliveriesAsync(host, "rebound")).Length > 0, TimeSpan.FromSeconds(10), "the attempt is logged");

        var attempt = (await WebhookTestApp.DeliveriesAsync(host, "rebound"))[^1];
        Assert.Contains($"Refused to connect to '{hostName.Trim('[', ']')}'", attempt.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, attempt.GetProperty("statusCode").ValueKind);
        Assert.Contains(host.Logs.GetSnapshot(), e => e.Id.Name == "WebhookAddressRefused");
        Assert.False(_listener4.Pending() || _listener6.Pending(), "a connection reached the listener");
    }

    public void Dispose()
    {
        _listener4.Stop();
        _listener6.Stop();
    }
}
