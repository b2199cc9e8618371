using Analytics.Webhooks;

namespace Analytics.Tests.Webhooks;

public class WebhookSecretTests
{
    [Fact]
    public void GeneratedSecretsFollowTheSpecAndDiffer()
    {
        var a = WebhookSecret.Generate();
        var b = WebhookSecret.Generate();

        Assert.StartsWith("whsec_", a);
        Assert.True(WebhookSecret.TryDecode(a, out var key));
        Assert.Equal(32, key.Length);
        Assert.NotEqual(a, b);
        Assert.Null(WebhookSecret.Check(a));
    }
}
