using Analytics.Alerts;
using Analytics.ServiceLevels;
using Microsoft.Extensions.Options;

namespace Analytics;

/// <summary>The Apdex threshold and the service-level objectives (<see cref="RequestAnalyticsOptions.Slos"/>).</summary>
internal sealed partial class RequestAnalyticsOptionsValidator
{
    internal static readonly TimeSpan MaxSloWindow = TimeSpan.FromDays(90);
    private static readonly TimeSpan MinApdexThreshold = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan MaxApdexThreshold = TimeSpan.FromMinutes(1);

    /// <summary>The names of the objectives that can be referred to: the valid ones.</summary>
    internal static HashSet<string> SloNames(RequestAnalyticsOptions options) =>
        new(options.Slos.Select(s => s.Name).Where(DefinitionChecks.IsValidId).Select(n => n!), StringComparer.Ordinal);

    static partial void ValidateServiceLevels(ValidateOptionsResultBuilder builder, RequestAnalyticsOptions options, string prefix)
    {
        CheckRange(builder, options.ApdexThreshold, MinApdexThreshold, MaxApdexThreshold, prefix + nameof(options.ApdexThreshold));

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Slos.Count; i++)
        {
            var slo = options.Slos[i];
            var path = $"{prefix}{nameof(options.Slos)}:{i}:";
            if (slo is null)
            {
                builder.AddError("must not be empty.", $"{prefix}{nameof(options.Slos)}:{i}");
                continue;
            }

            if (!DefinitionChecks.IsValidId(slo.Name))
            {
                builder.AddError(
                    $"must be 1 to {DefinitionChecks.MaxIdLength} letters, digits, '-', '_' or '.'; it is '{slo.Name}'.",
                    path + nameof(SloOptions.Name));
            }
            else if (!names.Add(slo.Name!))
            {
                builder.AddError($"'{slo.Name}' is used twice.", path + nameof(SloOptions.Name));
            }

            if (!(slo.Objective is > 0 and < 1))
            {
                builder.AddError(
                    $"must be greater than 0 and less than 1 (0.999 is 99.9 %); it is {slo.Objective}.", path + nameof(SloOptions.Objective));
            }

            if (slo.LatencyThreshold is { } latency)
            {
                CheckRange(builder, latency, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1), path + nameof(SloOptions.LatencyThreshold));
            }

            if (slo.Window < TimeSpan.FromHours(1) || slo.Window > MaxSloWindow || slo.Window.Ticks % TimeSpan.TicksPerHour != 0)
            {
                builder.AddError($"must be whole hours from 1 hour to 90 days; it is {slo.Window}.", path + nameof(SloOptions.Window));
            }

            if (slo.ApdexThreshold is { } apdex)
            {
                CheckRange(builder, apdex, MinApdexThreshold, MaxApdexThreshold, path + nameof(SloOptions.ApdexThreshold));
                if (string.IsNullOrWhiteSpace(slo.Route))
                {
                    builder.AddError(
                        "needs Route: it overrides RequestAnalytics:ApdexThreshold for one route.", path + nameof(SloOptions.ApdexThreshold));
                }
            }

            if (slo.Route is { Length: > DefinitionChecks.MaxFilterLength })
            {
                builder.AddError($"must be at most {DefinitionChecks.MaxFilterLength} characters.", path + nameof(SloOptions.Route));
            }

            if (slo.Method is { } method && !IsHttpMethod(method.Trim()))
            {
                builder.AddError($"must be an HTTP method such as GET; it is '{method}'.", path + nameof(SloOptions.Method));
            }
        }

        // The burn-rate rules an objective declares take ids of their own; a declared rule must not take them first.
        var sloRuleIds = AlertEvaluator.SloRules(options).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < options.Alerts.Count; i++)
        {
            if (options.Alerts[i]?.Id is { } id && sloRuleIds.Contains(id))
            {
                builder.AddError(
                    $"'{id}' is the id of an objective's burn-rate rule (see RequestAnalytics:Slos); choose another.",
                    $"{prefix}{nameof(options.Alerts)}:{i}:{nameof(AlertRuleOptions.Id)}");
            }
        }
    }

    /// <summary>An RFC 9110 method token of at most 20 characters: GET, PATCH, PROPFIND.</summary>
    private static bool IsHttpMethod(string method) =>
        method.Length is > 0 and <= 20 && method.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c));
}
