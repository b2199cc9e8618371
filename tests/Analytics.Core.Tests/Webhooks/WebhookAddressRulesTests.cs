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

    /// <summary>
    /// One row per entry of the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and its updates), and
    /// per block refused beside them: the block, what its refusal says, an address inside, and the addresses just
    /// outside it when those are public (<see langword="null"/> where the neighbour is refused too, or there is none).
    /// The IPv4-mapped and well-known NAT64 entries are not refused whole; <see cref="IPv4CarriedInIPv6IsJudgedByWhereItLeads"/> has them.
    /// </summary>
    public static TheoryData<string, string, string, string?, string?> SpecialPurposeBlocks => new()
    {
        { "0.0.0.0/8", "unspecified", "0.1.2.3", null, "1.0.0.0" },
        { "10.0.0.0/8", "RFC 1918", "10.20.30.40", "9.255.255.255", "11.0.0.0" },
        { "100.64.0.0/10", "CGNAT", "100.100.1.1", "100.63.255.255", "100.128.0.0" },
        { "127.0.0.0/8", "loopback", "127.0.0.1", "126.255.255.255", "128.0.0.0" },
        { "169.254.0.0/16", "link-local", "169.254.169.254", "169.253.255.255", "169.255.0.0" },
        { "172.16.0.0/12", "RFC 1918", "172.20.1.1", "172.15.255.255", "172.32.0.0" },
        { "192.0.0.0/24", "IETF protocol assignment", "192.0.0.170", "191.255.255.255", "192.0.1.0" },
        { "192.0.2.0/24", "TEST-NET-1", "192.0.2.10", "192.0.1.255", "192.0.3.0" },
        { "192.31.196.0/24", "AS112", "192.31.196.1", "192.31.195.255", "192.31.197.0" },
        { "192.52.193.0/24", "AMT", "192.52.193.1", "192.52.192.255", "192.52.194.0" },
        { "192.88.99.0/24", "6to4 relay", "192.88.99.1", "192.88.98.255", "192.88.100.0" },
        { "192.168.0.0/16", "RFC 1918", "192.168.1.1", "192.167.255.255", "192.169.0.0" },
        { "192.175.48.0/24", "AS112", "192.175.48.6", "192.175.47.255", "192.175.49.0" },
        { "198.18.0.0/15", "benchmarking", "198.19.0.1", "198.17.255.255", "198.20.0.0" },
        { "198.51.100.0/24", "TEST-NET-2", "198.51.100.7", "198.51.99.255", "198.51.101.0" },
        { "203.0.113.0/24", "TEST-NET-3", "203.0.113.9", "203.0.112.255", "203.0.114.0" },
        { "224.0.0.0/4", "multicast", "239.255.255.250", "223.255.255.255", null },
        { "240.0.0.0/4", "reserved", "250.1.2.3", null, null },
        { "255.255.255.255/32", "broadcast", "255.255.255.255", null, null },
        { "::/128", "unspecified", "::", null, null },
        { "::1/128", "loopback", "::1", null, null },
        { "64:ff9b:1::/48", "local-use NAT64", "64:ff9b:1::7f00:1", null, null },
        { "100::/64", "discard-only", "100::1", null, null },
        { "100:0:0:1::/64", "dummy", "100:0:0:1::1", null, null },
        { "2001::/23", "IETF protocol assignment", "2001:100::1", "2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2001:200::" },
        { "2001::/32", "Teredo", "2001:0:4136:e378:8000:63bf:3fff:fdd2", null, null },
        { "2001:1::1/128", "PCP anycast", "2001:1::1", null, null },
        { "2001:1::2/128", "TURN anycast", "2001:1::2", null, null },
        { "2001:1::3/128", "DNS-SD", "2001:1::3", null, null },
        { "2001:2::/48", "benchmarking (RFC 5180)", "2001:2::1", null, null },
        { "2001:3::/32", "AMT", "2001:3::1", null, null },
        { "2001:4:112::/48", "AS112", "2001:4:112::1", null, null },
        { "2001:10::/28", "deprecated ORCHID", "2001:10::1", null, null },
        { "2001:20::/28", "ORCHIDv2", "2001:20::1", null, null },
        { "2001:30::/28", "drone remote ID", "2001:30::1", null, null },
        { "2001:db8::/32", "documentation (RFC 3849)", "2001:db8::1", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::" },
        { "2002::/16", "6to4", "2002:808:808::1", "2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2003::" },
        { "2620:4f:8000::/48", "AS112", "2620:4f:8000::42", "2620:4f:7fff:ffff:ffff:ffff:ffff:ffff", "2620:4f:8001::" },
        { "3fff::/20", "documentation (RFC 9637)", "3fff::1", "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "3fff:1000::" },
        { "5f00::/16", "SRv6", "5f00::1", null, null },
        { "fc00::/7", "unique local", "fd12:3456::1", null, null },
        { "fe80::/10", "link-local", "fe80::1", null, null },
        { "ff00::/8", "multicast", "ff02::1", null, null },

        // Not in the registries, refused all the same.
        { "::/96", "IPv4-compatible", "::808:808", null, null }, // deprecated
        { "::ffff:0:0:0/96", "IPv4-translated", "::ffff:0:808:808", null, null }, // SIIT
        { "fec0::/10", "site-local", "fec0::1", null, null }, // deprecated
    };

    [Theory]
    [MemberData(nameof(SpecialPurposeBlocks))]
    public void EverySpecialPurposeBlockIsRefusedFromItsFirstToItsLastAddress(string block, string kind, string inside, string? before, string? after)
    {
        var network = IPNetwork.Parse(block);
        foreach (var address in new[] { inside, network.BaseAddress.ToString(), Last(network) })
        {
            var reason = WebhookAddressRules.Classify(IPAddress.Parse(address));

            Assert.True(reason is not null, $"{address}, in {block}, was allowed");
            Assert.Contains(address == inside ? kind : MostSpecificKind(address), reason);
        }

        foreach (var neighbour in new[] { before, after }.OfType<string>())
        {
            Assert.False(network.Contains(IPAddress.Parse(neighbour)), $"the row's neighbour {neighbour} is inside {block}");
            Assert.Null(WebhookAddressRules.Classify(IPAddress.Parse(neighbour)));
        }
    }

    [Theory]
    [InlineData("::ffff:127.0.0.1", "loopback", null)] // IPv4-mapped: a dual-mode socket dials the IPv4 address itself
    [InlineData("::ffff:10.0.0.1", "RFC 1918", null)]
    [InlineData("::ffff:169.254.169.254", "link-local", null)]
    [InlineData("64:ff9b::7f00:1", "NAT64", "loopback")] // well-known NAT64: decoded too
    [InlineData("64:ff9b::a00:1", "NAT64", "RFC 1918")]
    [InlineData("64:ff9b::a9fe:a9fe", "NAT64", "link-local")]
    [InlineData("64:ff9b:1::7f00:1", "local-use NAT64", "whatever")] // refused outright, wherever the prefix ends
    [InlineData("64:ff9b:1::a00:1", "local-use NAT64", "whatever")]
    [InlineData("64:ff9b:1::a9fe:a9fe", "local-use NAT64", "whatever")]
    [InlineData("64:ff9b:1:7f00:0:100::", "local-use NAT64", "whatever")] // 127.0.0.1 under a /48 prefix (RFC 6052 2.2)
    [InlineData("64:ff9b:1::808:808", "local-use NAT64", "whatever")]
    [InlineData("::ffff:0:7f00:1", "IPv4-translated", "loopback")] // SIIT: refused outright
    [InlineData("::ffff:0:a00:1", "IPv4-translated", "RFC 1918")]
    [InlineData("::ffff:0:a9fe:a9fe", "IPv4-translated", "link-local")]
    [InlineData("::ffff:0:808:808", "IPv4-translated", "whatever")]
    [InlineData("::127.0.0.1", "IPv4-compatible", "loopback")] // deprecated: refused outright
    [InlineData("::10.0.0.1", "IPv4-compatible", "RFC 1918")]
    [InlineData("::169.254.169.254", "IPv4-compatible", "link-local")]
    [InlineData("::8.8.8.8", "IPv4-compatible", "whatever")]
    [InlineData("2002:7f00:1::1", "6to4", "127.0.0.1, a loopback")] // the IPv4 address in bits 16-48: refused outright
    [InlineData("2002:a00:1::1", "6to4", "10.0.0.1, a private")]
    [InlineData("2002:a9fe:a9fe::1", "6to4", "169.254.169.254, a link-local")]
    [InlineData("2002:808:808::1", "6to4", "8.8.8.8 (refused whatever")]
    [InlineData("2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo", "127.0.0.1, a loopback")] // client inverted in the last 32 bits
    [InlineData("2001:0:4136:e378:8000:63bf:f5ff:fffe", "Teredo", "10.0.0.1, a private")]
    [InlineData("2001:0:4136:e378:8000:63bf:5601:5601", "Teredo", "169.254.169.254, a link-local")]
    [InlineData("2001:0:4136:e378:8000:63bf:f7f7:f7f7", "Teredo", "8.8.8.8 (refused whatever")]
    [InlineData("2001:0:a00:1::f7f7:f7f7", "Teredo", "server is 10.0.0.1, a private")] // the server in bits 32-64
    public void IPv4CarriedInIPv6IsJudgedByWhereItLeads(string address, string form, string? carried)
    {
        var reason = WebhookAddressRules.Classify(IPAddress.Parse(address));

        Assert.NotNull(reason);
        Assert.Contains(form, reason);
        Assert.Contains(carried ?? form, reason);
    }

    [Theory]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("64:ff9b::5db8:d822")] // 93.184.216.34
    public void IPv4MappedAndWellKnownNat64FormsOfAPublicAddressAreAllowed(string address)
    {
        Assert.Null(WebhookAddressRules.Classify(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("fe80::1%2", "link-local")]
    [InlineData("fd00::1%3", "unique local")]
    [InlineData("64:ff9b:1::7f00:1%2", "local-use NAT64")]
    public void AScopeIdDoesNotChangeTheAnswer(string address, string kind)
    {
        Assert.Contains(kind, WebhookAddressRules.Classify(IPAddress.Parse(address)));
    }

    [Fact]
    public void APublicAddressIsClassifiedWithoutAllocating()
    {
        IPAddress[] addresses =
        [
            IPAddress.Parse("8.8.8.8"), IPAddress.Parse("2606:4700::1111"), IPAddress.Parse("8.8.8.8").MapToIPv6(),
            IPAddress.Parse("64:ff9b::808:808"), IPAddress.Parse("2a00:1450:4001:80b::200e%3"),
        ];
        Assert.All(addresses, a => Assert.Null(WebhookAddressRules.Classify(a))); // and the rules are loaded

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var address in addresses)
        {
            WebhookAddressRules.Classify(address);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
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
    [InlineData("http://[64:ff9b:1::7f00:1]:9099/", "local-use NAT64")] // RFC 8215, 127.0.0.1 in the last 32 bits
    [InlineData("http://[::ffff:0:7f00:1]/hook", "IPv4-translated")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/latest/meta-data", "NAT64")]
    [InlineData("http://[2002:a9fe:a9fe::]/latest/meta-data", "6to4")]
    [InlineData("http://[2001:0:4136:e378:8000:63bf:5601:5601]/latest/meta-data", "Teredo")]
    [InlineData("http://[2001:db8::1]/hook", "documentation")]
    [InlineData("http://[fe80::1%25eth0]/hook", "link-local")]
    [InlineData("http://192.0.2.1/hook", "TEST-NET-1")]
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

    private static string Last(IPNetwork network)
    {
        var bytes = network.BaseAddress.GetAddressBytes();
        for (var bit = network.PrefixLength; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] |= (byte)(0x80 >> (bit % 8));
        }

        return new IPAddress(bytes).ToString();
    }

    /// <summary>The kind of the smallest block of <see cref="SpecialPurposeBlocks"/> that holds the address.</summary>
    private static string MostSpecificKind(string address) => SpecialPurposeBlocks
        .Select(row => (Network: IPNetwork.Parse((string)row[0]), Kind: (string)row[1]))
        .Where(row => row.Network.Contains(IPAddress.Parse(address)))
        .MaxBy(row => row.Network.PrefixLength).Kind;
}
