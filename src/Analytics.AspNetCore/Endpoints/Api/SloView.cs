using Analytics.Alerts;
using Analytics.ServiceLevels;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// A service-level objective as <c>GET {prefix}/api/slos</c> shows it: <see cref="SloStatus"/> with the latency threshold
/// in milliseconds and the window in the short form the alert API uses (<c>30d</c>, <c>6h</c>).
/// </summary>
internal sealed record SloView
{
    public required string Name { get; init; }

    public string? Route { get; init; }

    public string? Method { get; init; }

    public required double Objective { get; init; }

    /// <summary>Gets the latency a good request stays within, in milliseconds; <see langword="null"/> for availability.</summary>
    public double? LatencyThreshold { get; init; }

    public required string Window { get; init; }

    public required long Good { get; init; }

    public required long Total { get; init; }

    public double? Attainment { get; init; }

    public double? ErrorBudgetRemaining { get; init; }

    public required SloBurnRates BurnRates { get; init; }

    public static SloView From(SloStatus s) => new()
    {
        Name = s.Name,
        Route = s.Route,
        Method = s.Method,
        Objective = s.Objective,
        LatencyThreshold = s.LatencyThreshold?.TotalMilliseconds,
        Window = AlertText.Window(s.Window),
        Good = s.Good,
        Total = s.Total,
        Attainment = s.Attainment,
        ErrorBudgetRemaining = s.ErrorBudgetRemaining,
        BurnRates = s.BurnRates,
    };
}
