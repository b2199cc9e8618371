namespace Analytics;

/// <summary>
/// A custom event to track: a deployment, a build, a sign-up, a job run. Give it a <see cref="Duration"/> and a
/// <see cref="Success"/> to make "success rate and p95 duration" answerable.
/// </summary>
/// <param name="Name">The event name: 1 to 100 characters, no control characters.</param>
public sealed record AnalyticsEvent(string Name)
{
    /// <summary>Gets free-form properties; values are stored as JSON (strings, numbers, booleans, dates; others as text).</summary>
    public IReadOnlyDictionary<string, object?>? Properties { get; init; }

    /// <summary>Gets the id of the user the event concerns, if any.</summary>
    public string? UserId { get; init; }

    /// <summary>Gets when the event happened; when <see langword="null"/> the time it was tracked is used.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>Gets how long the tracked operation took, if it has a duration.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Gets whether the tracked operation succeeded, if that applies.</summary>
    public bool? Success { get; init; }
}
