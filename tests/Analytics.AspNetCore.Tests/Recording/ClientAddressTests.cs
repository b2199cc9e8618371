using System.Net;

namespace Analytics.AspNetCore.Tests.Recording;

public class ClientAddressTests
{
    [Theory]
    [InlineData("203.0.113.77", true, "203.0.113.0")]
    [InlineData("203.0.113.77", false, "203.0.113.77")]
    [InlineData("::ffff:203.0.113.77", true, "203.0.113.0")]
    [InlineData("::ffff:203.0.113.77", false, "203.0.113.77")]
    [InlineData("2001:db8:85a3:1234:5678:8a2e:370:7334", true, "2001:db8:85a3::")]
    [InlineData("2001:db8:85a3:1234:5678:8a2e:370:7334", false, "2001:db8:85a3:1234:5678:8a2e:370:7334")]
    [InlineData("::1", false, "::1")]
    [InlineData("0.0.0.0", true, "0.0.0.0")]
    [InlineData("255.255.255.255", true, "255.255.255.0")]
    public void AddressesAreFormattedAndAnonymizedByFamily(string address, bool anonymize, string expected)
    {
        Assert.Equal(expected, ClientAddress.Format(IPAddress.Parse(address), anonymize));
    }

    [Fact]
    public void AnUnknownAddressIsNull()
    {
        Assert.Null(ClientAddress.Format(null, anonymize: true));
    }
}
