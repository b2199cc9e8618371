using System.Net;
using Microsoft.AspNetCore.Builder;

namespace Analytics.AspNetCore.Tests.Endpoints;

/// <summary>The group's security default: loopback only, unless authorization is attached or remote access is allowed.</summary>
public class AnalyticsAccessFilterTests
{
    private const string Overview = "/analytics/api/overview";

    [Theory]
    [InlineData("203.0.113.5")]
    [InlineData("10.0.0.7")]
    [InlineData("2001:db8::1")]
    public async Task ARemoteCallerIsForbiddenByDefault(string remote)
    {
        await using var host = await EndpointTestApp.StartAsync();

        using var response = await SendAsync(host, Overview, remote);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("RequireAuthorization", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public async Task ALoopbackCallerIsServed(string? remote)
    {
        await using var host = await EndpointTestApp.StartAsync();

        using var response = await SendAsync(host, Overview, remote);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AllowRemoteAccessLetsRemoteCallersIn()
    {
        await using var host = await EndpointTestApp.StartAsync(o => o.AllowRemoteAccess = true);

        using var response = await SendAsync(host, Overview, "203.0.113.5");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task WithAuthorizationOnTheGroupARemoteCallerNeedsToSignIn()
    {
        await using var host = await EndpointTestApp.StartAsync(configureGroup: group => group.RequireAuthorization(), withAuthentication: true);

        using var anonymous = await SendAsync(host, Overview, "203.0.113.5");
        using var signedIn = await SendAsync(host, Overview, "203.0.113.5", user: "alice");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
    }

    [Fact]
    public async Task ForbiddenCallsAreNotRecordedAsTraffic()
    {
        await using var host = await EndpointTestApp.StartAsync();
        (await SendAsync(host, Overview, "203.0.113.5")).Dispose();
        (await host.Client.GetAsync("/items/1")).Dispose();
        await host.Pipeline.FlushAsync();

        var overview = await host.GetJsonAsync(Overview + "?range=1h");

        Assert.Equal(1, overview.GetProperty("totalRequests").GetInt64());
    }

    private static Task<HttpResponseMessage> SendAsync(AnalyticsTestHost host, string path, string? remote, string? user = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (remote is not null)
        {
            request.Headers.Add(EndpointTestApp.RemoteHeader, remote);
        }

        if (user is not null)
        {
            request.Headers.Add(EndpointTestApp.UserHeader, user);
        }

        return host.Client.SendAsync(request);
    }
}
