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

/// <summary>A custom event as it is queued and stored: validated, stamped, its properties serialized to JSON.</summary>
public sealed record EventRecord
{
    /// <summary>Gets when the event happened, in UTC.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the event name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the id of the user the event concerns, or <see langword="null"/>.</summary>
    public string? UserId { get; init; }

    /// <summary>Gets how long the tracked operation took, or <see langword="null"/>.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Gets whether the tracked operation succeeded, or <see langword="null"/>.</summary>
    public bool? Success { get; init; }

    /// <summary>Gets the properties as a JSON object, or <see langword="null"/> when there were none.</summary>
    public string? PropertiesJson { get; init; }

    /// <summary>Gets the environment name of the host that tracked the event.</summary>
    public string? Environment { get; init; }

    /// <summary>Gets the instance name of the host that tracked the event.</summary>
    public string? Instance { get; init; }
}
