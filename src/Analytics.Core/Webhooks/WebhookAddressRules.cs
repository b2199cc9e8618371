using System.Net;
using System.Net.Sockets;

namespace Analytics.Webhooks;

/// <summary>
/// Which addresses a webhook may not reach unless <see cref="WebhookOptions.AllowPrivateNetworks"/> is set: everything
/// that is not the public internet. Checked on the address actually dialled, so that a host name that resolves (or
/// re-resolves, DNS rebinding) to an internal address is refused as well as a literal one.
/// </summary>
internal static class WebhookAddressRules
{
    public const string AllowOption = RequestAnalyticsDefaults.ConfigurationSection + ":Webhooks:AllowPrivateNetworks";

    /// <summary>Returns what kind of non-public address this is ("a loopback address"), or <see langword="null"/> for a public one.</summary>
    public static string? Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            return Classify(address.MapToIPv4()); // ::ffff:127.0.0.1 dials 127.0.0.1
        }

        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out var length);
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork when length == 4 => ClassifyV4(b[..4]),
            AddressFamily.InterNetworkV6 => ClassifyV6(b),
            _ => "not an IP address",
        };
    }

    private static string? ClassifyV4(ReadOnlySpan<byte> b) => b[0] switch
    {
        0 => "an unspecified ('this network') address",
        127 => "a loopback address",
        10 => "a private (RFC 1918) address",
        172 when (b[1] & 0xF0) == 16 => "a private (RFC 1918) address",
        192 when b[1] == 168 => "a private (RFC 1918) address",
        169 when b[1] == 254 => "a link-local address (this range holds cloud metadata services)",
        100 when (b[1] & 0xC0) == 64 => "a shared (CGNAT, RFC 6598) address",
        192 when b[1] == 0 && b[2] == 0 => "an IETF protocol assignment address",
        198 when (b[1] & 0xFE) == 18 => "a benchmarking (RFC 2544) address",
        >= 224 and < 240 => "a multicast address",
        >= 240 => "a reserved or broadcast address",
        _ => null,
    };

    private static string? ClassifyV6(ReadOnlySpan<byte> b)
    {
        if (b[..15].IndexOfAnyExcept((byte)0) < 0)
        {
            return b[15] switch
            {
                0 => "an unspecified address",
                1 => "a loopback address",
                _ => "an IPv4-compatible address",
            };
        }

        if (b[..12].IndexOfAnyExcept((byte)0) < 0)
        {
            return "an IPv4-compatible address"; // ::a.b.c.d, deprecated; nothing public is reached that way
        }

        // Forms that carry an IPv4 address a gateway will dial: NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b[4..12].IndexOfAnyExcept((byte)0) < 0)
        {
            return ClassifyV4(b[12..16]);
        }

        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return ClassifyV4(b[2..6]);
        }

        return b[0] switch
        {
            0xFC or 0xFD => "a unique local (private) address",
            0xFE when (b[1] & 0xC0) == 0x80 => "a link-local address",
            0xFE when (b[1] & 0xC0) == 0xC0 => "a site-local address",
            0xFF => "a multicast address",
            _ => null,
        };
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
