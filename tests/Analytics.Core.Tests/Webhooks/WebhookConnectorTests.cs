using System.Net;
using Analytics.Testing;

namespace Analytics.Tests.Webhooks;

/// <summary>
/// The dial-time guard against real listeners on addresses that translate IPv4. A listener can only hold an address
/// that is on an interface, and a test cannot add one to the machine's network, so the dialling happens in a network
/// namespace of its own (<c>unshare -rn</c>) with the addresses on its loopback: the test runs
/// <c>tests/Analytics.DialProbe</c> there, which listens on each address and POSTs to it through
/// <see cref="Analytics.Webhooks.WebhookConnector"/>'s handler, guarded and then, as a control, unguarded.
/// </summary>
public class WebhookConnectorTests
{
    // Each is 127.0.0.1 as some IPv6 form carries it; the first is what an adversarial run had reached, guard on.
    private static readonly string[] Translated =
    [
        "64:ff9b:1::7f00:1",                    // local-use NAT64 (RFC 8215)
        "::ffff:0:7f00:1",                      // IPv4-translated (SIIT)
        "64:ff9b::7f00:1",                      // well-known NAT64
        "2002:7f00:1::1",                       // 6to4
        "2001:0:4136:e378:8000:63bf:80ff:fffe", // Teredo, the client's address inverted
        "::7f00:1",                             // IPv4-compatible
    ];

    [Fact]
    public async Task AnAddressThatTranslatesLoopbackIsRefusedAndItsListenerSeesNoConnection()
    {
        Assert.True(NetworkNamespace.Missing is null, NetworkNamespace.Missing);
        var probe = Path.Combine(
            TestProcess.RepositoryRoot(), "tests", "Analytics.DialProbe", "bin", TestProcess.Configuration, "net10.0", "Analytics.DialProbe.dll");
        Assert.True(File.Exists(probe), $"the probe should have been built at {probe}");
        var setup = string.Join(" && ", ["ip link set lo up", .. Translated.Select(a => $"ip -6 addr add {a}/128 dev lo nodad")]);

        var transcript = await TestProcess.RunAsync(
            Path.GetTempPath(), TimeSpan.FromMinutes(2), "unshare", ["-rn", "sh", "-c", $"{setup} && exec \"$0\" \"$@\"", "dotnet", probe, .. Translated]);

        var attempts = transcript.Split('\n').Select(line => line.Split('\t')).Where(fields => fields.Length == 5).ToArray();
        foreach (var address in Translated)
        {
            string[] Attempt(string mode) => Assert.Single(
                attempts, a => IPAddress.Parse(a[0]).Equals(IPAddress.Parse(address)) && a[1] == mode);

            var unguarded = Attempt("unguarded"); // the control: this setup does show a connection the guard lets through
            Assert.True(unguarded[3] == "connection", $"{address} unguarded: no connection reached the listener:\n{transcript}");
            var guarded = Attempt("guarded");
            Assert.True(guarded[2] == "refused" && guarded[3] == "no connection", $"{address} guarded was not refused before dialling:\n{transcript}");
            Assert.Contains("No connection was made", guarded[4]);
        }
    }
}
