using Microsoft.Extensions.Options;

namespace Analytics;

/// <summary>The uptime option (issue 25).</summary>
internal sealed partial class RequestAnalyticsOptionsValidator
{
    // More than 100 reports in a row (50 minutes at the publisher's default 30 s period) would hide whole outages.
    internal const int MaxUptimeFailureThreshold = 100;

    static partial void ValidateUptime(ValidateOptionsResultBuilder builder, RequestAnalyticsOptions options, string prefix)
    {
        if (options.UptimeFailureThreshold is < 1 or > MaxUptimeFailureThreshold)
        {
            builder.AddError(
                $"must be between 1 and {MaxUptimeFailureThreshold}; it is {options.UptimeFailureThreshold}.",
                prefix + nameof(options.UptimeFailureThreshold));
        }
    }
}
