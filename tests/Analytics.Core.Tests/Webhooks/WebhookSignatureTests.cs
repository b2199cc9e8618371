using System.Text;
using Analytics.Webhooks;

namespace Analytics.Tests.Webhooks;

public class WebhookSignatureTests
{
    [Fact]
    public void TheSignerReproducesTheSpecsTestVector()
    {
        Assert.True(WebhookSecret.TryDecode(StandardWebhooksTestVector.Secret, out var key));

        var signature = WebhookSignature.Sign(
            [key],
            StandardWebhooksTestVector.Id,
            StandardWebhooksTestVector.Timestamp,
            Encoding.UTF8.GetBytes(StandardWebhooksTestVector.Body));

        Assert.Equal(StandardWebhooksTestVector.Signature, signature);
    }
}
