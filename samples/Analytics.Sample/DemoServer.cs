using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Analytics.Sample;

/// <summary>Where the demo's own clients reach this host: its first listening address, on loopback.</summary>
internal static class DemoServer
{
    /// <summary>The prefix the sample maps the analytics endpoints under.</summary>
    public const string AnalyticsPrefix = "/analytics";

    /// <summary>
    /// Waits until the host has started, then returns its first address with a wildcard host replaced by 127.0.0.1, or
    /// <see langword="null"/> when the server listens on no address a client could dial.
    /// </summary>
    public static async Task<Uri?> LoopbackAddressAsync(IServer server, IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(cancellationToken);
        }

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        var loopback = address?.Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "127.0.0.1");
        return Uri.TryCreate(loopback, UriKind.Absolute, out var baseAddress) ? baseAddress : null;
    }
}
