using System.Net;

namespace Analytics.AspNetCore.Tests.Recording;

/// <summary>A connection's client address is formatted once, and again only when the address or the setting changes.</summary>
public sealed class ClientAddressCacheTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheClientAddressIsFormattedOncePerConnectionUnlessItChanges(bool anonymize)
    {
        var counter = new ClientAddressCache();

        var first = counter.Format(IPAddress.Parse("203.0.113.77"), anonymize);
        var again = counter.Format(IPAddress.Parse("203.0.113.77"), anonymize); // an equal address: the same string
        var forwarded = counter.Format(IPAddress.Parse("198.51.100.9"), anonymize); // forwarded headers changed it
        var other = counter.Format(IPAddress.Parse("198.51.100.9"), !anonymize);

        Assert.Equal(anonymize ? "203.0.113.0" : "203.0.113.77", first);
        Assert.Same(first, again);
        Assert.Equal(anonymize ? "198.51.100.0" : "198.51.100.9", forwarded);
        Assert.Equal(anonymize ? "198.51.100.9" : "198.51.100.0", other);
        Assert.Null(counter.Format(null, anonymize));
        Assert.Equal(ClientAddress.Format(IPAddress.IPv6Loopback, anonymize), counter.Format(IPAddress.IPv6Loopback, anonymize));
    }
}
