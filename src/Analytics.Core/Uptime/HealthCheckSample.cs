namespace Analytics.Storage;

/// <summary>One entry of one health report, as the host's health-check publisher produced it on one instance.</summary>
public sealed record HealthCheckSample
{
    /// <summary>Gets when the report was published.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Gets the instance that published it.</summary>
    public required string Instance { get; init; }

    /// <summary>Gets the check's name.</summary>
    public required string Check { get; init; }

    /// <summary>Gets the status.</summary>
    public required UptimeStatus Status { get; init; }

    /// <summary>Gets how long the check took.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Gets the check's description, at most 500 characters, or <see langword="null"/>.</summary>
    public string? Description { get; init; }
}
