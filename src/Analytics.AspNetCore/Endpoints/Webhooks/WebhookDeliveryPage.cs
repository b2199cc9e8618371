namespace Analytics.AspNetCore.Endpoints;

/// <summary>A page of a subscription's deliveries log, newest first; <c>next</c> is the <c>before</c> of the next page.</summary>
internal sealed record WebhookDeliveryPage(IReadOnlyList<WebhookDeliveryView> Items, long? Next);
