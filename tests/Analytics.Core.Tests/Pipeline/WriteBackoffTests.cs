using Analytics.Pipeline;

namespace Analytics.Tests.Pipeline;

public class WriteBackoffTests
{
    [Fact]
    public void DelaysDoubleFromTheFirstAndStopAtTheCap()
    {
        var backoff = new WriteBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), maxAttempts: 5);

        var delays = Enumerable.Range(1, 6).Select(backoff.GetDelay).ToArray();

        Assert.Equal(
            [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)],
            delays);
    }

    [Fact]
    public void HugeAttemptCountsStayAtTheCapInsteadOfOverflowing()
    {
        var backoff = WriteBackoff.Default;

        Assert.Equal(backoff.MaxDelay, backoff.GetDelay(int.MaxValue));
    }

    [Fact]
    public void ABatchIsAbandonedOnlyAfterTheLastAllowedAttempt()
    {
        var backoff = new WriteBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), maxAttempts: 3);

        Assert.False(backoff.ShouldAbandon(1));
        Assert.False(backoff.ShouldAbandon(2));
        Assert.True(backoff.ShouldAbandon(3));
    }

    [Fact]
    public void TheDefaultKeepsRetryingForMinutesBeforeGivingUp()
    {
        var backoff = WriteBackoff.Default;

        var total = Enumerable.Range(1, backoff.MaxAttempts - 1).Aggregate(TimeSpan.Zero, (sum, attempt) => sum + backoff.GetDelay(attempt));

        Assert.InRange(total, TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(10));
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WriteBackoff(TimeSpan.Zero, TimeSpan.FromSeconds(1), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WriteBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WriteBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => WriteBackoff.Default.GetDelay(0));
    }
}
