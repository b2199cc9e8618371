using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Analytics.PostgreSql.Tests;

/// <summary>
/// A loopback TCP relay between Npgsql and the test server that, once armed, lets one COMMIT through, waits for the
/// server's answer to it (so the transaction certainly committed), drops that answer and resets the client's
/// connection: the acknowledgement a network fault loses. It frames the wire protocol in both directions; Npgsql sends
/// a transaction's COMMIT as a simple Query message (<c>'Q'</c>, length, <c>"COMMIT\0"</c>), which is what it matches,
/// and only in a transaction that wrote a batch (one that named <c>written_batches</c>), so that a host's other
/// transactions (leadership, retention, webhooks) are never the one that loses its answer.
/// </summary>
internal sealed class LostAcknowledgementProxy : IAsyncDisposable
{
    private const int SslRequest = 80877103;
    private const int GssEncryptionRequest = 80877104;
    private const int CancelRequest = 80877102;
    private static readonly byte[] Commit = Encoding.ASCII.GetBytes("COMMIT\0");
    private static readonly byte[] BatchTable = Encoding.ASCII.GetBytes("written_batches");

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _serverPort;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<(TcpClient Client, Task Relay)> _connections = []; // guarded by itself
    private readonly Task _accepting;
    private readonly System.Collections.Concurrent.ConcurrentQueue<Exception> _faults = new(); // the relay's own failures
    private TaskCompletionSource? _armed; // taken by the first connection that sends a COMMIT
    private int _commits;

    public LostAcknowledgementProxy(int serverPort)
    {
        _serverPort = serverPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The COMMIT messages of batch writes seen so far, in any connection.</summary>
    public int Commits => Volatile.Read(ref _commits);

    /// <summary>Failures of the relay itself (not of the connections it carries), for a test's failure message.</summary>
    public string DescribeFaults() => string.Concat(_faults.Select(e => $"\nproxy fault: {e}"));

    /// <summary>Returns <paramref name="connectionString"/> pointed at this proxy, unpooled and in clear text.</summary>
    public string Through(string connectionString) => new Npgsql.NpgsqlConnectionStringBuilder(connectionString)
    {
        Host = "127.0.0.1",
        Port = Port,
        Pooling = false, // a retry opens a new connection, as after a real fault
        Multiplexing = false,
        SslMode = Npgsql.SslMode.Disable,
        Timeout = 10,
        CommandTimeout = 30,
    }.ConnectionString;

    /// <summary>
    /// Drops the answer to the next COMMIT; the task completes once the server has answered it and the client's
    /// connection was reset.
    /// </summary>
    public Task DropNextCommitAcknowledgementAsync()
    {
        var dropped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _armed, dropped, null) is not null)
        {
            throw new InvalidOperationException("Already armed.");
        }

        return dropped.Task;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        List<(TcpClient Client, Task Relay)> connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        foreach (var (client, _) in connections)
        {
            client.Dispose();
        }

        await Task.WhenAll(connections.Select(c => c.Relay).Append(_accepting)).WaitAsync(TimeSpan.FromSeconds(10));
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
                lock (_connections)
                {
                    _connections.Add((client, RelayAsync(client)));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopped
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var server = new TcpClient();
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _serverPort, _stopping.Token);
            var connection = new Connection(client, server);
            var up = ClientToServerAsync(connection);
            var down = ServerToClientAsync(connection);
            await Task.WhenAny(up, down);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // a side closed; the other is closed below
        }
        finally
        {
            client.Dispose();
            server.Dispose();
        }
    }

    private async Task ClientToServerAsync(Connection connection)
    {
        var from = connection.Client.GetStream();
        var to = connection.Server.GetStream();
        var token = _stopping.Token;
        try
        {
            // Untyped messages first: SSL or GSS encryption requests (the server answers one byte), then the startup
            // message, or a cancel request on a connection of its own.
            while (true)
            {
                var header = new byte[8];
                await from.ReadExactlyAsync(header, token);
                var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header) - 8];
                await from.ReadExactlyAsync(body, token);
                await to.WriteAsync(header, token);
                await to.WriteAsync(body, token);
                var code = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
                if (code is not (SslRequest or GssEncryptionRequest))
                {
                    if (code == CancelRequest)
                    {
                        await from.CopyToAsync(to, token);
                        return;
                    }

                    break;
                }
            }

            var writingBatch = false; // since the last batch's COMMIT
            while (true)
            {
                var header = new byte[5];
                await from.ReadExactlyAsync(header, token);
                var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4];
                await from.ReadExactlyAsync(body, token);
                if (header[0] is (byte)'Q' or (byte)'P' && body.AsSpan().IndexOf(BatchTable) >= 0)
                {
                    writingBatch = true;
                }
                else if (header[0] == (byte)'Q' && body.AsSpan().SequenceEqual(Commit) && writingBatch)
                {
                    writingBatch = false;
                    Interlocked.Increment(ref _commits);
                    if (Interlocked.Exchange(ref _armed, null) is { } dropped)
                    {
                        // Before the COMMIT goes on, so its answer is certainly seen as the one to drop.
                        Volatile.Write(ref connection.Dropping, dropped);
                    }
                }

                await to.WriteAsync(header, token);
                await to.WriteAsync(body, token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // the connection ended
        }
        catch (Exception e)
        {
            _faults.Enqueue(e);
            throw;
        }
    }

    private async Task ServerToClientAsync(Connection connection)
    {
        var from = connection.Server.GetStream();
        var to = connection.Client.GetStream();
        var token = _stopping.Token;
        try
        {
            var header = new byte[5];
            await from.ReadExactlyAsync(header.AsMemory(0, 1), token);
            while (header[0] is (byte)'N' or (byte)'S' or (byte)'G') // refusals of SSL or GSS encryption, one byte each
            {
                await to.WriteAsync(header.AsMemory(0, 1), token);
                await from.ReadExactlyAsync(header.AsMemory(0, 1), token);
            }

            await from.ReadExactlyAsync(header.AsMemory(1), token);
            while (true)
            {
                var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4];
                await from.ReadExactlyAsync(body, token);
                if (Volatile.Read(ref connection.Dropping) is { } dropped)
                {
                    if (header[0] == (byte)'Z')
                    {
                        // The server has answered the COMMIT (CommandComplete, then ReadyForQuery): it committed.
                        // The client gets a reset instead. The sockets are the ones captured when the relay began:
                        // closing the client's ends the other direction, whose relay may then dispose both TcpClients
                        // (nulling their Client) before this line runs on, which CI once hit.
                        connection.ClientSocket.LingerState = new LingerOption(true, 0);
                        connection.ClientSocket.Close();
                        connection.ServerSocket.Close();
                        dropped.TrySetResult();
                        return;
                    }
                }
                else
                {
                    await to.WriteAsync(header, token);
                    await to.WriteAsync(body, token);
                }

                header = new byte[5];
                await from.ReadExactlyAsync(header, token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // the connection ended
        }
        catch (Exception e)
        {
            _faults.Enqueue(e);
            throw;
        }
    }

    private sealed class Connection(TcpClient client, TcpClient server)
    {
        public readonly TcpClient Client = client;
        public readonly TcpClient Server = server;
        public readonly Socket ClientSocket = client.Client;
        public readonly Socket ServerSocket = server.Client;
        public TaskCompletionSource? Dropping; // set by the client side when it forwards the armed COMMIT
    }
}
