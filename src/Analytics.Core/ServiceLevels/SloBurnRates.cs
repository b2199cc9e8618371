using System.Text.Json.Serialization;

namespace Analytics.ServiceLevels;

/// <summary>
/// Burn rates of an objective: the share of bad requests over a recent span divided by the share the objective allows
/// (<c>1 - Objective</c>). 1 spends the budget exactly over the window; 14.4 spends 2 % of a 30-day budget in an hour.
/// Each is <see langword="null"/> when the span had no requests.
/// </summary>
public sealed record SloBurnRates
{
    /// <summary>Gets the burn rate over the last 5 minutes.</summary>
    [JsonPropertyName("5m")]
    public double? FiveMinutes { get; init; }

    /// <summary>Gets the burn rate over the last 30 minutes.</summary>
    [JsonPropertyName("30m")]
    public double? ThirtyMinutes { get; init; }

    /// <summary>Gets the burn rate over the last hour.</summary>
    [JsonPropertyName("1h")]
    public double? OneHour { get; init; }

    /// <summary>Gets the burn rate over the last 6 hours.</summary>
    [JsonPropertyName("6h")]
    public double? SixHours { get; init; }
}
