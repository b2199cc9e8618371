namespace Analytics.Storage;

/// <summary>Where a webhook message is in its life.</summary>
public enum WebhookMessageState
{
    /// <summary>Waiting for its next delivery.</summary>
    Pending,

    /// <summary>A receiver answered 2xx.</summary>
    Delivered,

    /// <summary>Given up: every delivery failed, the receiver answered 410 Gone, or the subscription is gone or disabled.</summary>
    Failed,
}
