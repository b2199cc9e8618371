using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Analytics.Tests.Webhooks;

/// <summary>
/// A webhook receiver that never answers: it accepts every TCP connection at 127.0.0.1 and holds it open, reading
/// nothing and writing nothing, as a hung server behind a live load balancer does. Closes them all when disposed.
/// </summary>
internal sealed class SilentReceiver : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly ConcurrentQueue<Socket> _held = new();
    private readonly Task _accepting;

    private SilentReceiver(TcpListener listener)
    {
        _listener = listener;
        _accepting = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hook";

    /// <summary>Gets how many connections it has accepted and holds.</summary>
    public int Connections => _held.Count;

    public static SilentReceiver Start()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new SilentReceiver(listener);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _accepting;
        while (_held.TryDequeue(out var socket))
        {
            socket.Dispose();
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                _held.Enqueue(await _listener.AcceptSocketAsync());
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // stopped
        }
    }
}
