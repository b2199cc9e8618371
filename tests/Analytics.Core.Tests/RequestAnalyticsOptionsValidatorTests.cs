namespace Analytics.Tests;

public class RequestAnalyticsOptionsValidatorTests
{
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
        { "RequestAnalytics:MaxStreamSubscribers", o => o.MaxStreamSubscribers = 0 },
        { "RequestAnalytics:MaxStreamDuration", o => o.MaxStreamDuration = TimeSpan.Zero },
        { "RequestAnalytics:StreamPingInterval", o => o.StreamPingInterval = TimeSpan.FromMilliseconds(10) },
        { "RequestAnalytics:EnvironmentName", o => o.EnvironmentName = new string('e', 101) },
        { "RequestAnalytics:InstanceName", o => o.InstanceName = new string('i', 101) },
    };

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
