using Analytics.Pipeline;
using Analytics.Storage;
using Analytics.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.AspNetCore.Tests.Endpoints.Webhooks;

/// <summary><see cref="WebhookOptions.MaxRequestFailedPerMinute"/>: counted once per committed batch, however often the writer retries it.</summary>
public sealed class RequestFailedCapTests
{
    private static readonly DateTimeOffset Minute = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ARetriedBatchQueuesTheSameMessagesAndOnlyACommittedOneCountsTowardTheCap()
    {
        await using var host = await EndpointTestApp.StartAsync(o =>
        {
            o.Webhooks.MaxRequestFailedPerMinute = 3;
            var subscription = new WebhookSubscriptionOptions { Id = "pager", Url = "https://hooks.example.com/pager" };
            subscription.EventTypes.Add(WebhookEventTypes.RequestFailed);
            subscription.Secrets.Add(WebhookSecret.Generate());
            o.Webhooks.Subscriptions.Add(subscription);
        });
        var step = host.App.Services.GetRequiredService<WebhookBatchMessages>();

        // Two attempts at the same batch, as after a failed write: each holds both messages, not four.
        var first = Batch(Failed(1), Failed(2));
        await step.BeforeWriteAsync(first, default);
        Assert.Equal(2, first.WebhookMessages.Count);
        await step.BeforeWriteAsync(first, default);
        Assert.Equal(2, first.WebhookMessages.Count);

        // Committed: two of the minute's three are used, so of the next two failures in that minute one is sent.
        step.Committed(new CommittedBatch(first, [], 2, TimeSpan.Zero));
        var next = Batch(Failed(3), Failed(4));
        await step.BeforeWriteAsync(next, default);
        Assert.Single(next.WebhookMessages);

        // The next minute starts again.
        var later = Batch(Failed(61), Failed(62), Failed(63), Failed(64));
        await step.BeforeWriteAsync(later, default);
        Assert.Equal(3, later.WebhookMessages.Count);
    }

    private static AnalyticsBatch Batch(params RequestRecord[] requests)
    {
        var batch = new AnalyticsBatch();
        foreach (var request in requests)
        {
            batch.AddRequest(request);
        }

        return batch;
    }

    private static RequestRecord Failed(int second) => new()
    {
        Timestamp = Minute.AddSeconds(second),
        Method = "GET",
        Route = "/items/{id}",
        Path = "/items/1",
        StatusCode = 500,
        Duration = TimeSpan.FromMilliseconds(3),
    };
}
