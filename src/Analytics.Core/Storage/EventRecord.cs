namespace Analytics.Storage;

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

    /// <summary>Gets the release of the host that tracked the event (<see cref="RequestAnalyticsOptions.Release"/>).</summary>
    public string? Release { get; init; }

    /// <summary>
    /// Gets the consumer that posted the event: the name of the ingest key it came with
    /// (<see cref="RequestAnalyticsOptions.NamedIngestKeys"/>), or <see langword="null"/>.
    /// </summary>
    public string? Consumer { get; init; }
}
