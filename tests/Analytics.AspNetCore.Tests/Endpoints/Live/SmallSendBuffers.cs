using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Analytics.AspNetCore.Tests.Endpoints.Live;

/// <summary>
/// Shrinks what Kestrel and the kernel hold for a connection (16 KB each), so that a client that stops reading stalls
/// the stream within a few messages and what piles up is the library's own queue, the thing the tests measure.
/// </summary>
internal static class SmallSendBuffers
{
    private const int Bytes = 16 * 1024;

    public static void Apply(WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxResponseBufferSize = Bytes);
        builder.WebHost.UseSockets(sockets => sockets.CreateBoundListenSocket = endpoint =>
        {
            var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
            socket.SendBufferSize = Bytes;
            return socket;
        });
    }
}
