namespace Analytics.Storage;

/// <summary>A webhook subscription as the store keeps it.</summary>
public sealed record WebhookSubscription
{
    /// <summary>Gets the id.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the absolute http or https URL messages are posted to.</summary>
    public required string Url { get; init; }

    /// <summary>Gets the event types sent (see <see cref="Webhooks.WebhookEventTypes"/>).</summary>
    public required IReadOnlyList<string> EventTypes { get; init; }

    /// <summary>Gets the custom-event names sent as <c>event.tracked</c>; empty sends every name.</summary>
    public IReadOnlyList<string> EventNames { get; init; } = [];

    /// <summary>Gets the body format; only <see cref="WebhookFormat.StandardWebhooks"/> is signed.</summary>
    public WebhookFormat Format { get; init; }

    /// <summary>Gets whether messages are sent.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Gets why the subscription was disabled by delivery (the receiver answered 410 Gone), or <see langword="null"/>.</summary>
    public string? DisabledReason { get; init; }

    /// <summary>
    /// Gets the signing secrets as stored, newest first: one, or two while rotating. Each is protected at rest: the
    /// library protects a secret (<c>whsec_…</c>) before it reaches the store, with ASP.NET Core Data Protection when the
    /// host uses Analytics.AspNetCore, and stores it as <c>dp:</c> followed by the protected text. A store keeps each
    /// value verbatim (text without line breaks) and never sees a secret in the clear; a plain <c>whsec_…</c> value is one
    /// written before secrets were protected, which the library protects at its next start.
    /// </summary>
    public required IReadOnlyList<string> Secrets { get; init; }

    /// <summary>Gets where the subscription was defined.</summary>
    public DefinitionSource Source { get; init; }

    /// <summary>Gets when the subscription was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// Tells whether the subscription wants messages of <paramref name="eventType"/> (and, for custom events, of
    /// <paramref name="eventName"/>).
    /// </summary>
    /// <param name="eventType">One of <see cref="Webhooks.WebhookEventTypes"/>.</param>
    /// <param name="eventName">The custom event's name, for <see cref="Webhooks.WebhookEventTypes.EventTracked"/>.</param>
    /// <returns><see langword="true"/> when a message is to be queued.</returns>
    public bool Wants(string eventType, string? eventName = null) =>
        Enabled
        && EventTypes.Contains(eventType, StringComparer.Ordinal)
        && (eventName is null || EventNames.Count == 0 || EventNames.Contains(eventName, StringComparer.Ordinal));
}
