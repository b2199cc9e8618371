using Microsoft.Extensions.DependencyInjection;

namespace Analytics;

/// <summary>Returned by <c>AddRequestAnalytics</c>; store packages add their <c>Use…</c> extensions to it.</summary>
public interface IRequestAnalyticsBuilder
{
    /// <summary>Gets the service collection analytics was added to.</summary>
    IServiceCollection Services { get; }
}
