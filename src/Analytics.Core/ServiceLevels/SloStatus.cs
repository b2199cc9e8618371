namespace Analytics.ServiceLevels;

/// <summary>Where a service-level objective (<see cref="SloOptions"/>) stands over its window, ending now.</summary>
public sealed record SloStatus
{
    /// <summary>Gets the objective's name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the route template it covers, or <see langword="null"/> for every route.</summary>
    public string? Route { get; init; }

    /// <summary>Gets the HTTP method it covers, or <see langword="null"/> for every method.</summary>
    public string? Method { get; init; }

    /// <summary>Gets the share of good requests promised, from 0 to 1.</summary>
    public required double Objective { get; init; }

    /// <summary>Gets the latency a good request stays within, or <see langword="null"/> for an availability objective.</summary>
    public TimeSpan? LatencyThreshold { get; init; }

    /// <summary>Gets the rolling window measured.</summary>
    public required TimeSpan Window { get; init; }

    /// <summary>Gets the number of good requests in the window.</summary>
    public required long Good { get; init; }

    /// <summary>Gets the number of requests in the window.</summary>
    public required long Total { get; init; }

    /// <summary>Gets <see cref="Good"/> over <see cref="Total"/>, or <see langword="null"/> when there were no requests.</summary>
    public double? Attainment { get; init; }

    /// <summary>
    /// Gets the share of the error budget (the <c>1 - Objective</c> of requests allowed to be bad) not spent: 1 when
    /// nothing was bad, 0 when exactly the budget was spent, below 0 when the objective is missed;
    /// <see langword="null"/> when there were no requests.
    /// </summary>
    public double? ErrorBudgetRemaining { get; init; }

    /// <summary>Gets how fast the budget burned over the last 5 minutes, 30 minutes, 1 hour and 6 hours.</summary>
    public required SloBurnRates BurnRates { get; init; }
}
