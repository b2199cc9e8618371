namespace Analytics.Storage;

/// <summary>An alert rule's change of state, as the alert history keeps it and as <c>alert.triggered</c>/<c>alert.resolved</c> send it.</summary>
public sealed record AlertTransition
{
    /// <summary>Gets the history entry's id, assigned by the store; newer entries have larger ids.</summary>
    public long Id { get; init; }

    /// <summary>Gets the rule as it was evaluated.</summary>
    public required AlertRule Rule { get; init; }

    /// <summary>Gets whether the rule started firing (<see langword="true"/>) or recovered.</summary>
    public required bool Triggered { get; init; }

    /// <summary>Gets the value measured.</summary>
    public required double Value { get; init; }

    /// <summary>Gets the start of the window measured.</summary>
    public required DateTimeOffset WindowStart { get; init; }

    /// <summary>Gets the end of the window measured (exclusive).</summary>
    public required DateTimeOffset WindowEnd { get; init; }

    /// <summary>Gets when the change was recorded.</summary>
    public required DateTimeOffset Time { get; init; }
}
