namespace Analytics.Uptime;

/// <summary>A span during which a health check was down on one instance.</summary>
public sealed record UptimeIncident
{
    /// <summary>Gets the instance whose reports opened it.</summary>
    public required string Instance { get; init; }

    /// <summary>Gets the time of the first unhealthy report of the run that opened it.</summary>
    public required DateTimeOffset Start { get; init; }

    /// <summary>Gets the time of the first healthy report of the run that closed it, or <see langword="null"/> while it is open.</summary>
    public DateTimeOffset? End { get; init; }

    /// <summary>Gets the status it is about: <see cref="UptimeStatus.Unhealthy"/>.</summary>
    public required UptimeStatus Status { get; init; }

    /// <summary>Gets the description of the first unhealthy report, or <see langword="null"/>.</summary>
    public string? Description { get; init; }
}
