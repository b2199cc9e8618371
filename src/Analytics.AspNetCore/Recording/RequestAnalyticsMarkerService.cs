namespace Analytics.AspNetCore;

/// <summary>Registered by <c>AddRequestAnalytics</c> so that <c>UseRequestAnalytics</c> can tell it was called.</summary>
internal sealed class RequestAnalyticsMarkerService;
