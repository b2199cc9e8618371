// Dials through the webhook connector from wherever it is started and says what a listener on the far end saw. The
// Core tests' WebhookConnectorTests start it inside a network namespace of its own, whose loopback holds addresses that
// translate IPv4 (64:ff9b:1::7f00:1, ...): a listener can sit on them there, which the test machine's own network
// would not allow, and nothing outside the namespace can answer in its place.
//
//   dotnet Analytics.DialProbe.dll ADDRESS...
//
// For each address it opens a listener on it (a port the system picks), then POSTs to it twice through the handler
// the webhook client dials with: first guarded (Webhooks.AllowPrivateNetworks off), then unguarded (on), each time to a
// fresh listener. One line per attempt, tab-separated:
//
//   ADDRESS  guarded|unguarded  refused|failed|answered  connection|no connection  DETAIL
//
// The unguarded line is the control: it shows that this setup does show a connection when the guard lets one through.
using System.Net;
using System.Net.Sockets;
using Analytics.Webhooks;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Analytics.DialProbe ADDRESS...");
    return 2;
}

foreach (var address in args.Select(IPAddress.Parse))
{
    foreach (var guarded in new[] { true, false })
    {
        var (outcome, connection, detail) = await AttemptAsync(address, guarded);
        Console.WriteLine(string.Join('\t', address, guarded ? "guarded" : "unguarded", outcome, connection, detail));
    }
}

return 0;

static async Task<(string Outcome, string Connection, string Detail)> AttemptAsync(IPAddress address, bool guarded)
{
    using var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
    listener.Bind(new IPEndPoint(address, 0));
    listener.Listen();
    var url = $"http://{listener.LocalEndPoint}/hook";

    using var client = new HttpClient(WebhookConnector.CreateHandler(allowPrivateNetworks: !guarded)) { Timeout = Timeout.InfiniteTimeSpan };
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
    var request = client.PostAsync(url, new StringContent("{}"), stop.Token);

    // Nothing accepts: a connection that arrives waits in the listener's backlog, where Poll sees it without taking
    // it. A dial that got through is a finished handshake, so it is there once the request has failed.
    var arrival = Task.Run(() => listener.Poll(TimeSpan.FromSeconds(20), SelectMode.SelectRead));
    await Task.WhenAny(request, arrival);
    await stop.CancelAsync(); // the listener never answers: once a connection is there, the request has shown all it will

    string outcome, detail;
    try
    {
        using var response = await request;
        (outcome, detail) = ("answered", ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
    catch (HttpRequestException e) when (WebhookAttemptHandler.FindRefusal(e) is { } refusal)
    {
        (outcome, detail) = ("refused", refusal.Message);
    }
    catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
    {
        (outcome, detail) = ("failed", $"{e.GetType().Name}: {e.Message}");
    }

    var connection = listener.Poll(TimeSpan.Zero, SelectMode.SelectRead) ? "connection" : "no connection";
    return (outcome, connection, detail);
}
