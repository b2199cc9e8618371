using System.Text;
using Analytics.Webhooks;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.Tests.Webhooks;

public class WebhookVerifierTests
{
    // The test vector of the Standard Webhooks reference libraries (and Svix's documentation).
    private const string SpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string SpecId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long SpecTimestamp = 1614265330;
    private const string SpecBody = "{\"test\": 2432232314}";
    private const string SpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static readonly FakeTimeProvider SpecTime = new(DateTimeOffset.FromUnixTimeSeconds(SpecTimestamp));

    [Fact]
    public void TheSignerReproducesTheSpecsTestVector()
    {
        Assert.True(WebhookSecret.TryDecode(SpecSecret, out var key));

        var signature = WebhookSignature.Sign([key], SpecId, SpecTimestamp, Encoding.UTF8.GetBytes(SpecBody));

        Assert.Equal(SpecSignature, signature);
    }

    [Fact]
    public void TheSpecsTestVectorVerifies()
    {
        var verifier = new WebhookVerifier([SpecSecret], SpecTime);

        Assert.True(verifier.Verify(SpecBody, SpecId, "1614265330", SpecSignature));
    }

    [Fact]
    public void ATamperedBodyIsRejected()
    {
        var verifier = new WebhookVerifier([SpecSecret], SpecTime);

        Assert.False(verifier.Verify("{\"test\": 2432232315}", SpecId, "1614265330", SpecSignature));
    }

    [Fact]
    public void AnotherIdIsRejected()
    {
        var verifier = new WebhookVerifier([SpecSecret], SpecTime);

        Assert.False(verifier.Verify(SpecBody, "msg_other", "1614265330", SpecSignature));
    }

    [Fact]
    public void TheWrongSecretIsRejected()
    {
        var verifier = new WebhookVerifier([WebhookSecret.Generate()], SpecTime);

        Assert.False(verifier.Verify(SpecBody, SpecId, "1614265330", SpecSignature));
    }

    [Theory]
    [InlineData(-301)] // older than 5 minutes: a replay
    [InlineData(301)] // more than 5 minutes ahead
    public void ATimestampOutsideTheToleranceIsRejected(int skewSeconds)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(SpecTimestamp - skewSeconds));
        var verifier = new WebhookVerifier([SpecSecret], clock);

        Assert.False(verifier.Verify(SpecBody, SpecId, "1614265330", SpecSignature));
    }

    [Theory]
    [InlineData(-299)]
    [InlineData(299)]
    public void ATimestampWithinTheToleranceIsAccepted(int skewSeconds)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(SpecTimestamp - skewSeconds));
        var verifier = new WebhookVerifier([SpecSecret], clock);

        Assert.True(verifier.Verify(SpecBody, SpecId, "1614265330", SpecSignature));
    }

    [Fact]
    public void AnyOfSeveralSignaturesMayMatch()
    {
        var verifier = new WebhookVerifier([SpecSecret], SpecTime);

        Assert.True(verifier.Verify(SpecBody, SpecId, "1614265330", $"v1,{Convert.ToBase64String(new byte[32])} v1a,unknownscheme {SpecSignature}"));
    }

    [Fact]
    public void AnyOfSeveralSecretsMayHaveSigned()
    {
        var verifier = new WebhookVerifier([WebhookSecret.Generate(), SpecSecret], SpecTime);

        Assert.True(verifier.Verify(SpecBody, SpecId, "1614265330", SpecSignature));
    }

    [Fact]
    public void ASecretWithoutItsPrefixWorksToo()
    {
        var verifier = new WebhookVerifier([SpecSecret["whsec_".Length..]], SpecTime);

        Assert.True(verifier.Verify(SpecBody, SpecId, "1614265330", SpecSignature));
    }

    [Theory]
    [InlineData(null, "1614265330", SpecSignature)]
    [InlineData(SpecId, null, SpecSignature)]
    [InlineData(SpecId, "not-a-number", SpecSignature)]
    [InlineData(SpecId, "-1614265330", SpecSignature)]
    [InlineData(SpecId, "1614265330", null)]
    [InlineData(SpecId, "1614265330", "")]
    [InlineData(SpecId, "1614265330", "v1,")]
    [InlineData(SpecId, "1614265330", "v1,!!!notbase64")]
    [InlineData(SpecId, "1614265330", "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    public void MissingOrMalformedHeadersAreRejectedWithoutThrowing(string? id, string? timestamp, string? signature)
    {
        var verifier = new WebhookVerifier([SpecSecret], SpecTime);

        Assert.False(verifier.Verify(SpecBody, id, timestamp, signature));
    }

    [Theory]
    [InlineData("")]
    [InlineData("whsec_")]
    [InlineData("whsec_not base64!")]
    [InlineData("whsec_AAAAAAAAAAA=")] // 8 bytes: too short to be a key
    public void ABadSecretIsRefusedAtConstruction(string secret)
    {
        Assert.Throws<ArgumentException>(() => new WebhookVerifier(secret));
    }

    [Fact]
    public void NoSecretAtAllIsRefused()
    {
        Assert.Throws<ArgumentException>(() => new WebhookVerifier(Array.Empty<string>()));
    }

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
