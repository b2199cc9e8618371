using System.Net;
using System.Net.Sockets;

namespace Analytics.AspNetCore;

/// <summary>
/// Formats the client address for storage, anonymized by default: the last octet of IPv4 and the last 80 bits of IPv6
/// are zeroed (the convention of Google Analytics and Matomo). IPv4-mapped IPv6 addresses, which dual-mode sockets
/// report, are stored as IPv4.
/// </summary>
internal static class ClientAddress
{
    public static string? Format(IPAddress? address, bool anonymize)
    {
        if (address is null)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var length))
        {
            return null;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6)
        {
            bytes = bytes.Slice(12, 4);
            length = 4;
        }

        bytes = bytes[..length];
        if (length == 4)
        {
            if (anonymize)
            {
                bytes[3] = 0;
            }

            return FormatIPv4(bytes);
        }

        if (!anonymize)
        {
            return address.ToString();
        }

        bytes[6..].Clear();
        return new IPAddress(bytes).ToString();
    }

    private static string FormatIPv4(ReadOnlySpan<byte> bytes)
    {
        Span<char> text = stackalloc char[15];
        var written = 0;
        for (var i = 0; i < 4; i++)
        {
            if (i > 0)
            {
                text[written++] = '.';
            }

            bytes[i].TryFormat(text[written..], out var digits, provider: System.Globalization.CultureInfo.InvariantCulture);
            written += digits;
        }

        return new string(text[..written]);
    }
}
