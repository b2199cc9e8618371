namespace Analytics.AspNetCore;

/// <summary>Whether the app called <c>UseRequestAnalytics()</c>, which decides whether the outermost middleware is added.</summary>
internal sealed class RequestAnalyticsPlacement
{
    public bool MarkerPlaced { get; set; }
}
