using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Analytics.Webhooks;

/// <summary>
/// Which addresses a webhook may not reach unless <see cref="WebhookOptions.AllowPrivateNetworks"/> is set: everything
/// that is not the public internet. Checked on the address actually dialled, so that a host name that resolves (or
/// re-resolves, DNS rebinding) to an internal address is refused as well as a literal one.
/// </summary>
/// <remarks>
/// <para>
/// Refused: every block of the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and its updates: loopback,
/// private, shared, link-local, documentation, benchmarking, AS112, AMT, ORCHID, discard, SRv6, multicast, reserved,
/// broadcast...), the deprecated IPv6 site-local <c>fec0::/10</c>, and every IPv6 address outside global unicast
/// <c>2000::/3</c> (the rest is unallocated or reserved by the IETF; no public host is there).
/// </para>
/// <para>
/// IPv6 forms that carry an IPv4 address are judged by where the packets go. Two are decoded and their IPv4 address
/// classified by the IPv4 rules, so they are refused unless it is public: IPv4-mapped <c>::ffff:a.b.c.d</c> (a dual-mode
/// socket dials <c>a.b.c.d</c> itself) and the well-known NAT64 prefix <c>64:ff9b::/96</c> (RFC 6052 fixes the IPv4
/// address in the last 32 bits and forbids the prefix for non-public ones; IPv6-only networks reach public IPv4-only
/// receivers through it, DNS64 returns it). The others are refused outright, whatever IPv4 address they carry, because
/// a gateway or tunnel of the host's own network, out of reach of the IPv4 rules, decides where they lead: local-use
/// NAT64 <c>64:ff9b:1::/48</c> (RFC 8215: the operator's translator, and its prefix length, so the place of the IPv4
/// address, is the operator's choice), IPv4-translated <c>::ffff:0:a.b.c.d</c> (SIIT, RFC 2765), IPv4-compatible
/// <c>::a.b.c.d</c> (deprecated, RFC 4291), 6to4 <c>2002::/16</c> (RFC 3056; the IPv4 address in bits 16–48) and Teredo
/// <c>2001::/32</c> (RFC 4380; the server's IPv4 address in bits 32–64, the client's in the last 32 bits, inverted). The
/// reason names the IPv4 address they carry and, when it is not public, what it is.
/// </para>
/// </remarks>
internal static class WebhookAddressRules
{
    public const string AllowOption = RequestAnalyticsDefaults.ConfigurationSection + ":Webhooks:AllowPrivateNetworks";

    private const string CarriedAnyway = "refused whatever IPv4 address it carries";

    // The IANA IPv4 Special-Purpose Address Registry, plus multicast, reserved and broadcast. The first match wins.
    private static readonly (uint Prefix, uint Mask, string Reason)[] V4 =
    [
        V4Entry("0.0.0.0/8", "an unspecified ('this network') address"),
        V4Entry("10.0.0.0/8", "a private (RFC 1918) address"),
        V4Entry("100.64.0.0/10", "a shared (CGNAT, RFC 6598) address"),
        V4Entry("127.0.0.0/8", "a loopback address"),
        V4Entry("169.254.0.0/16", "a link-local address (this range holds cloud metadata services)"),
        V4Entry("172.16.0.0/12", "a private (RFC 1918) address"),
        V4Entry("192.0.0.0/24", "an IETF protocol assignment address (RFC 6890)"),
        V4Entry("192.0.2.0/24", "a documentation (TEST-NET-1, RFC 5737) address"),
        V4Entry("192.31.196.0/24", "an AS112 DNS sink address (RFC 7535)"),
        V4Entry("192.52.193.0/24", "an AMT relay address (RFC 7450)"),
        V4Entry("192.88.99.0/24", "a deprecated 6to4 relay anycast address (RFC 7526)"),
        V4Entry("192.168.0.0/16", "a private (RFC 1918) address"),
        V4Entry("192.175.48.0/24", "an AS112 DNS sink address (RFC 7534)"),
        V4Entry("198.18.0.0/15", "a benchmarking (RFC 2544) address"),
        V4Entry("198.51.100.0/24", "a documentation (TEST-NET-2, RFC 5737) address"),
        V4Entry("203.0.113.0/24", "a documentation (TEST-NET-3, RFC 5737) address"),
        V4Entry("224.0.0.0/4", "a multicast address"),
        V4Entry("255.255.255.255/32", "a broadcast address"),
        V4Entry("240.0.0.0/4", "a reserved (RFC 1112) address"),
    ];

    // The IANA IPv6 Special-Purpose Address Registry but for the forms that carry IPv4 (see ClassifyV6), with
    // multicast and site-local. Sub-blocks come before the block that holds them: the first match wins.
    private static readonly (UInt128 Prefix, UInt128 Mask, string Reason)[] V6 =
    [
        V6Entry("::/128", "an unspecified address"),
        V6Entry("::1/128", "a loopback address"),
        V6Entry("100::/64", "a discard-only (RFC 6666) address"),
        V6Entry("100:0:0:1::/64", "a dummy (RFC 9780) address"),
        V6Entry("2001:1::1/128", "a PCP anycast (RFC 7723) address"),
        V6Entry("2001:1::2/128", "a TURN anycast (RFC 8155) address"),
        V6Entry("2001:1::3/128", "a DNS-SD service registration anycast (RFC 9665) address"),
        V6Entry("2001:2::/48", "a benchmarking (RFC 5180) address"),
        V6Entry("2001:3::/32", "an AMT (RFC 7450) address"),
        V6Entry("2001:4:112::/48", "an AS112 DNS sink address (RFC 7535)"),
        V6Entry("2001:10::/28", "a deprecated ORCHID (RFC 4843) address"),
        V6Entry("2001:20::/28", "an ORCHIDv2 (RFC 7343) address"),
        V6Entry("2001:30::/28", "a drone remote ID (RFC 9374) address"),
        V6Entry("2001::/23", "an IETF protocol assignment address (RFC 2928)"),
        V6Entry("2001:db8::/32", "a documentation (RFC 3849) address"),
        V6Entry("2620:4f:8000::/48", "an AS112 DNS sink address (RFC 7534)"),
        V6Entry("3fff::/20", "a documentation (RFC 9637) address"),
        V6Entry("5f00::/16", "a segment routing (SRv6 SID, RFC 9602) address"),
        V6Entry("fc00::/7", "a unique local (private) address"),
        V6Entry("fe80::/10", "a link-local address"),
        V6Entry("fec0::/10", "a site-local address (deprecated, RFC 3879)"),
        V6Entry("ff00::/8", "a multicast address"),
    ];

    private static readonly (UInt128 Prefix, UInt128 Mask) GlobalUnicast = V6Block("2000::/3");
    private static readonly (UInt128 Prefix, UInt128 Mask) Mapped = V6Block("::ffff:0:0/96");
    private static readonly (UInt128 Prefix, UInt128 Mask) Translated = V6Block("::ffff:0:0:0/96");
    private static readonly (UInt128 Prefix, UInt128 Mask) Compatible = V6Block("::/96");
    private static readonly (UInt128 Prefix, UInt128 Mask) Nat64 = V6Block("64:ff9b::/96");
    private static readonly (UInt128 Prefix, UInt128 Mask) LocalNat64 = V6Block("64:ff9b:1::/48");
    private static readonly (UInt128 Prefix, UInt128 Mask) SixToFour = V6Block("2002::/16");
    private static readonly (UInt128 Prefix, UInt128 Mask) Teredo = V6Block("2001::/32");

    /// <summary>
    /// Returns what kind of non-public address this is ("a loopback address"), or <see langword="null"/> for a public one.
    /// A public address costs no allocation; a scope id (<c>fe80::1%eth0</c>) does not change the answer.
    /// </summary>
    public static string? Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out var length);
        return (address.AddressFamily, length) switch
        {
            (AddressFamily.InterNetwork, 4) => ClassifyV4(BinaryPrimitives.ReadUInt32BigEndian(b)),
            (AddressFamily.InterNetworkV6, 16) => ClassifyV6(BinaryPrimitives.ReadUInt128BigEndian(b)),
            _ => "not an IP address",
        };
    }

    private static string? ClassifyV4(uint address)
    {
        foreach (var (prefix, mask, reason) in V4)
        {
            if ((address & mask) == prefix)
            {
                return reason;
            }
        }

        return null;
    }

    private static string? ClassifyV6(UInt128 address)
    {
        var last32 = (uint)address;
        if (In(address, Mapped))
        {
            return ClassifyV4(last32); // ::ffff:127.0.0.1 dials 127.0.0.1
        }

        if (In(address, Nat64))
        {
            return ClassifyV4(last32) is null ? null : Carrying("a NAT64 (RFC 6052) address", last32);
        }

        if (In(address, Compatible) && address > UInt128.One)
        {
            return Carrying("an IPv4-compatible address (deprecated, RFC 4291)", last32);
        }

        if (In(address, Translated))
        {
            return Carrying("an IPv4-translated (SIIT, RFC 2765) address", last32);
        }

        if (In(address, LocalNat64))
        {
            return $"a local-use NAT64 (RFC 8215) address, which leads through a translator of the local network ({CarriedAnyway})";
        }

        if (In(address, SixToFour))
        {
            return Carrying("a 6to4 (RFC 3056) address", (uint)(address >> 80));
        }

        if (In(address, Teredo))
        {
            var server = (uint)(address >> 64);
            return ClassifyV4(~last32) is null && ClassifyV4(server) is { } kind
                ? $"a Teredo (RFC 4380) address whose server is {Format(server)}, {kind}"
                : Carrying("a Teredo (RFC 4380) address", ~last32); // the client's address, inverted
        }

        foreach (var (prefix, mask, reason) in V6)
        {
            if ((address & mask) == prefix)
            {
                return reason;
            }
        }

        return In(address, GlobalUnicast) ? null : "an address outside IPv6 global unicast (2000::/3)";
    }

    /// <summary>What an IPv6 form is, with the IPv4 address it carries and, when that is not public, what it is.</summary>
    private static string Carrying(string form, uint v4) => ClassifyV4(v4) is { } kind
        ? $"{form} carrying {Format(v4)}, {kind}"
        : $"{form} carrying {Format(v4)} ({CarriedAnyway})";

    private static string Format(uint v4) =>
        string.Create(CultureInfo.InvariantCulture, $"{v4 >> 24}.{(v4 >> 16) & 0xFF}.{(v4 >> 8) & 0xFF}.{v4 & 0xFF}");

    private static bool In(UInt128 address, (UInt128 Prefix, UInt128 Mask) block) => (address & block.Mask) == block.Prefix;

    private static (uint Prefix, uint Mask, string Reason) V4Entry(string cidr, string reason)
    {
        var block = IPNetwork.Parse(cidr);
        var mask = block.PrefixLength == 0 ? 0 : uint.MaxValue << (32 - block.PrefixLength);
        return (BinaryPrimitives.ReadUInt32BigEndian(block.BaseAddress.GetAddressBytes()), mask, reason);
    }

    private static (UInt128 Prefix, UInt128 Mask, string Reason) V6Entry(string cidr, string reason)
    {
        var (prefix, mask) = V6Block(cidr);
        return (prefix, mask, reason);
    }

    private static (UInt128 Prefix, UInt128 Mask) V6Block(string cidr)
    {
        var block = IPNetwork.Parse(cidr);
        var mask = block.PrefixLength == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - block.PrefixLength);
        return (BinaryPrimitives.ReadUInt128BigEndian(block.BaseAddress.GetAddressBytes()), mask);
    }

    /// <summary>Checks a subscription URL when it is created; explains what is wrong, or returns <see langword="null"/>.</summary>
    /// <remarks>
    /// Only what the URL itself says is checked here (scheme, literal addresses, <c>localhost</c>); the address a host
    /// name resolves to is checked when it is dialled, every time.
    /// </remarks>
    public static string? CheckUrl(string? url, bool allowPrivateNetworks)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return "is required.";
        }

        if (url.Length > 2_000)
        {
            return "must be at most 2000 characters.";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return $"must be an absolute http or https URL; '{url}' is not.";
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            return $"must use http or https; it uses '{uri.Scheme}'.";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "must not hold a user name or password.";
        }

        if (!string.IsNullOrEmpty(uri.Fragment))
        {
            return "must not have a fragment ('#…').";
        }

        if (allowPrivateNetworks)
        {
            return null;
        }

        var host = uri.Host.Trim('[', ']');
        var reason = IPAddress.TryParse(host, out var literal) ? Classify(literal)
            : host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase) ? "a loopback address"
            : null;
        return reason is null ? null : $"points at {reason}; webhooks go to public addresses only unless {AllowOption} is set.";
    }
}
