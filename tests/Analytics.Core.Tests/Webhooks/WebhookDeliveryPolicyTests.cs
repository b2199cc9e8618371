using Analytics.Webhooks;

namespace Analytics.Tests.Webhooks;

public class WebhookDeliveryPolicyTests
{
    private readonly WebhookDeliveryPolicy _policy = WebhookDeliveryPolicy.Default;

    [Fact]
    public void TheLongRetriesFollowTheSchedule()
    {
        TimeSpan[] expected =
        [
            TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
            TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
        ];

        var delays = Enumerable.Range(1, 7).Select(n => _policy.NextDelay(n, retryAfter: null)).ToArray();

        Assert.Equal(expected.Cast<TimeSpan?>(), delays);
    }

    [Fact]
    public void AfterTheLastDelayTheMessageIsGivenUp()
    {
        Assert.Null(_policy.NextDelay(8, retryAfter: null));
    }

    [Fact]
    public void ALongerRetryAfterIsHonoured()
    {
        Assert.Equal(TimeSpan.FromMinutes(20), _policy.NextDelay(2, TimeSpan.FromMinutes(20)));
    }

    [Fact]
    public void AShorterRetryAfterDoesNotHurryTheSchedule()
    {
        Assert.Equal(TimeSpan.FromMinutes(30), _policy.NextDelay(3, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void AnAbsurdRetryAfterIsCappedAtTheLongestDelay()
    {
        Assert.Equal(TimeSpan.FromHours(10), _policy.NextDelay(1, TimeSpan.FromDays(30)));
    }

    [Fact]
    public void TheLeaseOutlastsTheLongestDelivery()
    {
        var longest = (_policy.AttemptTimeout * (_policy.QuickRetries + 1)) + (_policy.MaxQuickRetryAfter * _policy.QuickRetries);

        Assert.True(_policy.Lease > longest, $"lease {_policy.Lease} vs longest delivery {longest}");
    }
}
