using System.Net;
using System.Net.Sockets;

namespace Analytics.Webhooks;

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> of the webhook client: resolves the host itself, drops every
/// address <see cref="WebhookAddressRules"/> refuses, and dials only what is left. Because the check is on the address
/// dialled, a host name that resolves to 127.0.0.1, or changes what it resolves to between the creation check and the
/// delivery (DNS rebinding), cannot reach the host's network.
/// </summary>
internal static class WebhookConnector
{
    /// <summary>The guard as one delegate, so that the webhook client can tell that its primary handler still dials through it.</summary>
    public static readonly Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Callback = ConnectAsync;

    public static SocketsHttpHandler CreateHandler(bool allowPrivateNetworks) => new()
    {
        UseProxy = false,              // a proxy would dial for us, out of reach of the check
        AllowAutoRedirect = false,     // a redirect is a failure, never followed (it could point anywhere)
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        ConnectCallback = allowPrivateNetworks ? null : Callback,
    };

    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endPoint = context.DnsEndPoint;
        var host = endPoint.Host.Trim('[', ']');
        var resolved = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);

        var allowed = new List<IPAddress>(resolved.Length);
        (IPAddress Address, string Reason)? refused = null;
        foreach (var address in resolved)
        {
            if (WebhookAddressRules.Classify(address) is { } reason)
            {
                refused ??= (address, reason);
            }
            else
            {
                allowed.Add(address);
            }
        }

        if (allowed.Count == 0)
        {
            throw refused is { } r
                ? new WebhookAddressRefusedException(host, r.Address, r.Reason)
                : new SocketException((int)SocketError.HostNotFound);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync([.. allowed], endPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
