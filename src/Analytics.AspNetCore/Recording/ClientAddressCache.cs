using System.Net;

namespace Analytics.AspNetCore;

/// <summary>
/// A connection's client address, formatted as <see cref="ClientAddress.Format"/> does, once per connection: the
/// requests of a keep-alive connection share the string, unless the address changes (forwarded headers set one per
/// request). One per connection, so never used by two requests at once.
/// </summary>
internal sealed class ClientAddressCache
{
    private IPAddress? _address;
    private bool _anonymized;
    private string? _formatted;

    public string? Format(IPAddress? address, bool anonymize)
    {
        if (address is null)
        {
            return null;
        }

        if (_formatted is null || anonymize != _anonymized || !address.Equals(_address))
        {
            _formatted = ClientAddress.Format(address, anonymize);
            _address = address;
            _anonymized = anonymize;
        }

        return _formatted;
    }
}
