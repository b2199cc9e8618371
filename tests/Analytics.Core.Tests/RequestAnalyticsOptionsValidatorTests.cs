namespace Analytics.Tests;

public class RequestAnalyticsOptionsValidatorTests
{
    private const string NamedKey = "named-key-0123456789abcdef";
    private readonly RequestAnalyticsOptionsValidator _validator = new();

    [Fact]
    public void TheDefaultsAreValid()
    {
        Assert.True(_validator.Validate(null, new RequestAnalyticsOptions()).Succeeded);
    }

    public static TheoryData<string, Action<RequestAnalyticsOptions>> BadOptions => new()
    {
        { "RequestAnalytics:QueueCapacity", o => o.QueueCapacity = 0 },
        { "RequestAnalytics:QueueCapacity", o => o.QueueCapacity = -5 },
        { "RequestAnalytics:QueueCapacity", o => o.QueueCapacity = int.MaxValue },
        { "RequestAnalytics:BatchSize", o => o.BatchSize = 0 },
        { "RequestAnalytics:BatchSize", o => { o.QueueCapacity = 100; o.BatchSize = 101; } },
        { "RequestAnalytics:FlushInterval", o => o.FlushInterval = TimeSpan.Zero },
        { "RequestAnalytics:FlushInterval", o => o.FlushInterval = TimeSpan.FromHours(2) },
        { "RequestAnalytics:RawSampleRate", o => o.RawSampleRate = -0.1 },
        { "RequestAnalytics:RawSampleRate", o => o.RawSampleRate = 1.5 },
        { "RequestAnalytics:RawSampleRate", o => o.RawSampleRate = double.NaN },
        { "RequestAnalytics:ExcludePaths", o => o.ExcludePaths.Add("health") },
        { "RequestAnalytics:ExcludePaths", o => o.ExcludePaths.Add("") },
        { "RequestAnalytics:UserIdClaim", o => o.UserIdClaim.Add(" ") },
        { "RequestAnalytics:IngestKeys", o => o.IngestKeys.Add("short") },
        { "RequestAnalytics:Retention:Raw", o => o.Retention.Raw = TimeSpan.Zero },
        { "RequestAnalytics:Retention:Minute", o => o.Retention.Minute = TimeSpan.FromSeconds(-1) },
        { "RequestAnalytics:Retention:Hour", o => o.Retention.Hour = TimeSpan.FromMinutes(30) },
        { "RequestAnalytics:Retention:Day", o => o.Retention.Day = TimeSpan.FromDays(5000) },
        { "RequestAnalytics:StatsInterval", o => o.StatsInterval = TimeSpan.FromMilliseconds(10) },
        { "RequestAnalytics:HealthInterval", o => o.HealthInterval = TimeSpan.Zero },
        { "RequestAnalytics:HealthInterval", o => o.HealthInterval = TimeSpan.FromHours(2) },
        { "RequestAnalytics:MaxStreamSubscribers", o => o.MaxStreamSubscribers = 0 },
        { "RequestAnalytics:MaxStreamBufferBytes", o => o.MaxStreamBufferBytes = 65_535 },
        { "RequestAnalytics:MaxStreamBufferBytes", o => o.MaxStreamBufferBytes = -1 },
        { "RequestAnalytics:MaxStreamBufferBytes", o => { o.MaxStreamBufferBytes = 2L << 30; o.MaxStreamTotalBufferBytes = 4L << 30; } },
        { "RequestAnalytics:MaxStreamTotalBufferBytes", o => o.MaxStreamTotalBufferBytes = o.MaxStreamBufferBytes - 1 },
        { "RequestAnalytics:MaxStreamTotalBufferBytes", o => o.MaxStreamTotalBufferBytes = 17L << 30 },
        { "RequestAnalytics:MaxStreamDuration", o => o.MaxStreamDuration = TimeSpan.Zero },
        { "RequestAnalytics:StreamPingInterval", o => o.StreamPingInterval = TimeSpan.FromMilliseconds(10) },
        { "RequestAnalytics:EnvironmentName", o => o.EnvironmentName = new string('e', 101) },
        { "RequestAnalytics:InstanceName", o => o.InstanceName = new string('i', 101) },
        { "RequestAnalytics:AlertInterval", o => o.AlertInterval = TimeSpan.Zero },
        { "RequestAnalytics:Webhooks:MaxRequestFailedPerMinute", o => o.Webhooks.MaxRequestFailedPerMinute = 0 },
        { "RequestAnalytics:Webhooks:MaxConcurrentDeliveriesPerSubscription", o => o.Webhooks.MaxConcurrentDeliveriesPerSubscription = 0 },
        { "RequestAnalytics:Webhooks:MaxConcurrentDeliveriesPerSubscription", o => o.Webhooks.MaxConcurrentDeliveriesPerSubscription = 1_001 },
        { "RequestAnalytics:Webhooks:Subscriptions:0:Id", o => o.Webhooks.Subscriptions.Add(Subscription(s => s.Id = "has space")) },
        { "RequestAnalytics:Webhooks:Subscriptions:0:Id", o => o.Webhooks.Subscriptions.Add(Subscription(s => s.Id = null)) },
        { "RequestAnalytics:Webhooks:Subscriptions:1:Id", o => { o.Webhooks.Subscriptions.Add(Subscription()); o.Webhooks.Subscriptions.Add(Subscription()); } },
        { "RequestAnalytics:Webhooks:Subscriptions:0:Url", o => o.Webhooks.Subscriptions.Add(Subscription(s => s.Url = "ftp://example.com/hook")) },
        { "RequestAnalytics:Webhooks:Subscriptions:0:Url", o => o.Webhooks.Subscriptions.Add(Subscription(s => s.Url = "/relative")) },
        { "RequestAnalytics:Webhooks:Subscriptions:0:Url", o => o.Webhooks.Subscriptions.Add(Subscription(s => s.Url = "http://169.254.169.254/latest")) },
        { "RequestAnalytics:Webhooks:Subscriptions:0:Url", o => o.Webhooks.Subscriptions.Add(Subscription(s => s.Url = null)) },
        { "RequestAnalytics:Webhooks:Subscriptions:0:EventTypes:0", o => o.Webhooks.Subscriptions.Add(Subscription(s => { s.EventTypes.Clear(); s.EventTypes.Add("request.failedd"); })) },
        { "RequestAnalytics:Webhooks:Subscriptions:0:EventTypes", o => o.Webhooks.Subscriptions.Add(Subscription(s => s.EventTypes.Clear())) },
        { "RequestAnalytics:Webhooks:Subscriptions:0:Secrets", o => o.Webhooks.Subscriptions.Add(Subscription(s => s.Secrets.Clear())) },
        { "RequestAnalytics:Webhooks:Subscriptions:0:Secrets:0", o => o.Webhooks.Subscriptions.Add(Subscription(s => s.Secrets[0] = "")) },
        { "RequestAnalytics:Webhooks:Subscriptions:0:Secrets:0", o => o.Webhooks.Subscriptions.Add(Subscription(s => s.Secrets[0] = "whsec_" + Convert.ToBase64String(new byte[8]))) },
        { "RequestAnalytics:Webhooks:Subscriptions:0:Secrets:0", o => o.Webhooks.Subscriptions.Add(Subscription(s => s.Secrets[0] = Convert.ToBase64String(new byte[32]))) },
        { "RequestAnalytics:Webhooks:Subscriptions:0:Format", o => o.Webhooks.Subscriptions.Add(Subscription(s => s.Format = (WebhookFormat)42)) },
        { "RequestAnalytics:Webhooks:Subscriptions:0:Secrets", o => o.Webhooks.Subscriptions.Add(Subscription(s => s.Format = WebhookFormat.Slack)) },
        { "RequestAnalytics:DashboardUrl", o => o.DashboardUrl = new Uri("/analytics", UriKind.Relative) },
        { "RequestAnalytics:DashboardUrl", o => o.DashboardUrl = new Uri("ftp://ops.example.com/analytics") },
        { "RequestAnalytics:DashboardUrl", o => o.DashboardUrl = new Uri("https://ops.example.com/analytics?range=1h") },
        { "RequestAnalytics:Alerts:0:Id", o => o.Alerts.Add(new Analytics.Alerts.AlertRuleOptions { Threshold = 0.1 }) },
        { "RequestAnalytics:Alerts:0:Threshold", o => o.Alerts.Add(new Analytics.Alerts.AlertRuleOptions { Id = "errors", Threshold = 10 }) },
        { "RequestAnalytics:Alerts:0:Threshold", o => o.Alerts.Add(new Analytics.Alerts.AlertRuleOptions { Id = "slow", Metric = AlertMetric.P95, Threshold = double.NaN }) },
        { "RequestAnalytics:Alerts:0:Threshold", o => o.Alerts.Add(new Analytics.Alerts.AlertRuleOptions { Id = "spike", Metric = AlertMetric.ChangeRatio, Threshold = 0 }) },
        { "RequestAnalytics:Alerts:0:Window", o => o.Alerts.Add(new Analytics.Alerts.AlertRuleOptions { Id = "errors", Window = TimeSpan.FromSeconds(90) }) },
        { "RequestAnalytics:Alerts:0:Window", o => o.Alerts.Add(new Analytics.Alerts.AlertRuleOptions { Id = "errors", Window = TimeSpan.FromDays(2) }) },
        { "RequestAnalytics:Alerts:0:EventName", o => o.Alerts.Add(new Analytics.Alerts.AlertRuleOptions { Id = "errors", EventName = "deploy" }) },
        { "RequestAnalytics:Alerts:0:Metric", o => o.Alerts.Add(new Analytics.Alerts.AlertRuleOptions { Id = "errors", Metric = (AlertMetric)42 }) },
        { "RequestAnalytics:MaxConsumersPerBucket", o => o.MaxConsumersPerBucket = 0 },
        { "RequestAnalytics:MaxConsumersPerBucket", o => o.MaxConsumersPerBucket = 100_001 },
        { "RequestAnalytics:UptimeFailureThreshold", o => o.UptimeFailureThreshold = 0 },
        { "RequestAnalytics:UptimeFailureThreshold", o => o.UptimeFailureThreshold = -1 },
        { "RequestAnalytics:UptimeFailureThreshold", o => o.UptimeFailureThreshold = 101 },
        { "RequestAnalytics:ConsumerHeader", o => o.ConsumerHeader = "X Client Id" },
        { "RequestAnalytics:ConsumerHeader", o => o.ConsumerHeader = "X-Client-Id:" },
        { "RequestAnalytics:ConsumerHeader", o => o.ConsumerHeader = "" },
        { "RequestAnalytics:ConsumerHeader", o => o.ConsumerHeader = "X-Klient-\u00EF" },
        { "RequestAnalytics:ConsumerClaim", o => o.ConsumerClaim = " " },
        { "RequestAnalytics:Release", o => o.Release = new string('r', 101) },
        { "RequestAnalytics:Release", o => o.Release = "1.0\n2.0" },
        { "RequestAnalytics:Release", o => o.Release = "" },
        { "RequestAnalytics:NamedIngestKeys:billing", o => o.NamedIngestKeys["billing"] = "short" },
        { "RequestAnalytics:NamedIngestKeys:billing", o => o.NamedIngestKeys["billing"] = null! },
        { "RequestAnalytics:NamedIngestKeys:mobile", o => { o.NamedIngestKeys["billing"] = NamedKey; o.NamedIngestKeys["mobile"] = NamedKey; } },
        { "RequestAnalytics:NamedIngestKeys:billing", o => { o.IngestKeys.Add(NamedKey); o.NamedIngestKeys["billing"] = NamedKey; } },
        { "RequestAnalytics:NamedIngestKeys:" + new string('c', 101), o => o.NamedIngestKeys[new string('c', 101)] = NamedKey },
        { "RequestAnalytics:NamedIngestKeys: ", o => o.NamedIngestKeys[" "] = NamedKey },
    };

    private static Analytics.Webhooks.WebhookSubscriptionOptions Subscription(Action<Analytics.Webhooks.WebhookSubscriptionOptions>? spoil = null)
    {
        var subscription = new Analytics.Webhooks.WebhookSubscriptionOptions { Id = "ops", Url = "https://hooks.example.com/analytics" };
        subscription.EventTypes.Add("request.failed");
        subscription.Secrets.Add("whsec_" + Convert.ToBase64String(new byte[32]));
        spoil?.Invoke(subscription);
        return subscription;
    }

    [Fact]
    public void AWellFormedSubscriptionAndRuleAreValid()
    {
        var options = new RequestAnalyticsOptions();
        options.Webhooks.Subscriptions.Add(Subscription());
        options.Alerts.Add(new Analytics.Alerts.AlertRuleOptions { Id = "errors", Threshold = 0.1, Window = TimeSpan.FromMinutes(1) });

        var result = _validator.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void ChatSubscriptionsWithoutSecretsAndAnAbsoluteDashboardUrlAreValid()
    {
        var options = new RequestAnalyticsOptions { DashboardUrl = new Uri("https://ops.example.com/analytics") };
        foreach (var format in new[] { WebhookFormat.Slack, WebhookFormat.Teams, WebhookFormat.Discord })
        {
            options.Webhooks.Subscriptions.Add(Subscription(s => { s.Id = format.ToString(); s.Format = format; s.Secrets.Clear(); }));
        }

        var result = _validator.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void ConsumerAndReleaseSettingsWithinTheirLimitsAreValid()
    {
        var options = new RequestAnalyticsOptions
        {
            ConsumerHeader = "X-Client-Id",
            ConsumerClaim = "client_id",
            MaxConsumersPerBucket = 100_000,
            Release = new string('r', 100),
        };
        options.IngestKeys.Add("plain-key-0123456789abcdef");
        options.NamedIngestKeys["billing-service"] = NamedKey;
        options.NamedIngestKeys["mobile-app"] = "mobile-key-0123456789abcdef";

        var result = _validator.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    public void AnUptimeFailureThresholdFromOneToAHundredIsValid(int threshold)
    {
        var result = _validator.Validate(null, new RequestAnalyticsOptions { UptimeFailureThreshold = threshold });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void APrivateUrlIsValidWhenPrivateNetworksAreAllowed()
    {
        var options = new RequestAnalyticsOptions();
        options.Webhooks.AllowPrivateNetworks = true;
        options.Webhooks.Subscriptions.Add(Subscription(s => s.Url = "http://127.0.0.1:5000/hook"));

        Assert.True(_validator.Validate(null, options).Succeeded);
    }

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void EachBadValueFailsWithAMessageNamingTheOption(string option, Action<RequestAnalyticsOptions> spoil)
    {
        var options = new RequestAnalyticsOptions();
        spoil(options);

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(option, result.FailureMessage);
    }

    [Fact]
    public void EveryBadValueIsReportedNotJustTheFirst()
    {
        var options = new RequestAnalyticsOptions { QueueCapacity = 0, RawSampleRate = 2 };

        var result = _validator.Validate(null, options);

        Assert.Contains("QueueCapacity", result.FailureMessage);
        Assert.Contains("RawSampleRate", result.FailureMessage);
    }
}
