using System.Net;
using Analytics.Webhooks;

namespace Analytics.Tests.Webhooks;

public class WebhookAddressRulesTests
{
    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.255.254", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("::ffff:127.0.0.1", "loopback")] // IPv4-mapped
    [InlineData("10.0.0.1", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("::ffff:192.168.1.1", "private")]
    [InlineData("169.254.169.254", "link-local")] // cloud metadata
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("100.64.0.1", "CGNAT")]
    [InlineData("100.127.255.254", "CGNAT")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("::", "unspecified")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("fc00::1", "unique local")]
    [InlineData("fd12:3456::1", "unique local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("64:ff9b::7f00:1", "loopback")] // NAT64 of 127.0.0.1
    [InlineData("2002:0a00:0001::1", "private")] // 6to4 of 10.0.0.1
    [InlineData("::127.0.0.1", "IPv4-compatible")]
    public void NonPublicAddressesAreRefusedWithTheirKind(string address, string kind)
    {
        var reason = WebhookAddressRules.Classify(IPAddress.Parse(address));

        Assert.NotNull(reason);
        Assert.Contains(kind, reason);
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")] // just past 172.16/12
    [InlineData("100.128.0.1")] // just past 100.64/10
    [InlineData("169.253.255.255")]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")] // NAT64 of 8.8.8.8
    public void PublicAddressesAreAllowed(string address)
    {
        Assert.Null(WebhookAddressRules.Classify(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData(null, "required")]
    [InlineData("", "required")]
    [InlineData("hooks.example.com/x", "absolute")]
    [InlineData("/relative/path", "absolute")]
    [InlineData("ftp://hooks.example.com/x", "http or https")]
    [InlineData("file:///etc/passwd", "http or https")]
    [InlineData("https://user:pass@hooks.example.com/x", "user name or password")]
    [InlineData("https://hooks.example.com/x#frag", "fragment")]
    [InlineData("http://127.0.0.1:8080/hook", "loopback")]
    [InlineData("http://[::1]/hook", "loopback")]
    [InlineData("http://localhost/hook", "loopback")]
    [InlineData("http://api.localhost/hook", "loopback")]
    [InlineData("http://10.0.0.1/hook", "private")]
    [InlineData("http://169.254.169.254/latest/meta-data", "link-local")]
    [InlineData("http://[::ffff:127.0.0.1]/hook", "loopback")]
    [InlineData("http://2130706433/hook", "loopback")] // 127.0.0.1 written as one number
    public void BadUrlsAreExplained(string? url, string expected)
    {
        var error = WebhookAddressRules.CheckUrl(url, allowPrivateNetworks: false);

        Assert.NotNull(error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void AnOverlongUrlIsRefused()
    {
        Assert.Contains("2000", WebhookAddressRules.CheckUrl("https://hooks.example.com/" + new string('a', 2_000), false));
    }

    [Theory]
    [InlineData("https://hooks.example.com/analytics")]
    [InlineData("http://hooks.example.com:8080/x?y=1")]
    public void PublicUrlsPass(string url)
    {
        Assert.Null(WebhookAddressRules.CheckUrl(url, allowPrivateNetworks: false));
    }

    [Fact]
    public void PrivateUrlsPassWhenAllowed()
    {
        Assert.Null(WebhookAddressRules.CheckUrl("http://127.0.0.1:5000/hook", allowPrivateNetworks: true));
        Assert.NotNull(WebhookAddressRules.CheckUrl("ftp://127.0.0.1/hook", allowPrivateNetworks: true)); // the scheme rule still holds
    }
}
