namespace Analytics.Queries;

/// <summary>The normalized filters of a query.</summary>
internal sealed record QueryFilters(
    string? Route, string? Method, StatusFilter? Status, string? Environment, string? Instance, RequestKind? Kind,
    string? Consumer = null, string? Release = null);
