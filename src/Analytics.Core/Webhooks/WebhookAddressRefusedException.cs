using System.Net;

namespace Analytics.Webhooks;

/// <summary>Thrown at dial time when every address a webhook host resolved to is one it may not reach; no connection was made.</summary>
internal sealed class WebhookAddressRefusedException(string host, IPAddress address, string reason)
    : IOException(
        $"Refused to connect to '{host}': {address} is {reason}; set {WebhookAddressRules.AllowOption} to allow it. " +
        "No connection was made.")
{
    public string Host { get; } = host;

    public IPAddress Address { get; } = address;
}
