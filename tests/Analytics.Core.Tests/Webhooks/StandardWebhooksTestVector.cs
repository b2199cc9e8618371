namespace Analytics.Tests.Webhooks;

/// <summary>The test vector of the Standard Webhooks reference libraries (and Svix's documentation).</summary>
internal static class StandardWebhooksTestVector
{
    public const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    public const string Id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    public const long Timestamp = 1614265330;
    public const string Body = "{\"test\": 2432232314}";
    public const string Signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
}
