using Analytics.Webhooks;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.Tests.Webhooks;

public class WebhookVerifierTests
{
    private const string SpecSecret = StandardWebhooksTestVector.Secret;
    private const string SpecId = StandardWebhooksTestVector.Id;
    private const long SpecTimestamp = StandardWebhooksTestVector.Timestamp;
    private const string SpecBody = StandardWebhooksTestVector.Body;
    private const string SpecSignature = StandardWebhooksTestVector.Signature;

    private static readonly FakeTimeProvider SpecTime = new(DateTimeOffset.FromUnixTimeSeconds(SpecTimestamp));

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
}
