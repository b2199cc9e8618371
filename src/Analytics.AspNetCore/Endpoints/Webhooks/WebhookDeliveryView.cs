using Analytics.Storage;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>One attempt in the deliveries log. <c>duration</c> is in milliseconds.</summary>
internal sealed record WebhookDeliveryView
{
    public required long Id { get; init; }

    public required string MessageId { get; init; }

    public required string EventType { get; init; }

    public required int Attempt { get; init; }

    public required DateTimeOffset Time { get; init; }

    public required double Duration { get; init; }

    public int? StatusCode { get; init; }

    public required bool Succeeded { get; init; }

    public string? Response { get; init; }

    public string? Error { get; init; }

    public static WebhookDeliveryView From(WebhookAttempt a) => new()
    {
        Id = a.Id,
        MessageId = a.MessageId,
        EventType = a.EventType,
        Attempt = a.Attempt,
        Time = a.Time,
        Duration = a.Duration.TotalMilliseconds,
        StatusCode = a.StatusCode,
        Succeeded = a.Succeeded,
        Response = a.Response,
        Error = a.Error,
    };
}
