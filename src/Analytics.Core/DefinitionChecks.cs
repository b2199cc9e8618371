using Analytics.Alerts;
using Analytics.Storage;
using Analytics.Webhooks;

namespace Analytics;

/// <summary>
/// The rules webhook subscriptions and alert rules must follow, shared by the options validator (at start) and the
/// HTTP API (per request). Errors name the field as the API's JSON does (<c>eventTypes[1]</c>); the options validator
/// turns that into the configuration path.
/// </summary>
internal static class DefinitionChecks
{
    public const int MaxIdLength = 64;
    public const int MaxNameLength = 200;
    public const int MaxFilterLength = 500;
    public const int MaxEventTypes = 16;
    public const int MaxEventNames = 100;
    public static readonly TimeSpan MinWindow = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(1);

    public static bool IsValidId(string? id) =>
        id is { Length: > 0 and <= MaxIdLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    public static void CheckSubscription(
        string? url, IReadOnlyList<string?> eventTypes, IReadOnlyList<string?> eventNames, bool allowPrivateNetworks, Action<string, string> error)
    {
        if (WebhookAddressRules.CheckUrl(url, allowPrivateNetworks) is { } urlError)
        {
            error("url", urlError);
        }

        if (eventTypes.Count == 0)
        {
            error("eventTypes", $"must hold at least one of {string.Join(", ", WebhookEventTypes.All)}.");
        }
        else if (eventTypes.Count > MaxEventTypes)
        {
            error("eventTypes", $"must hold at most {MaxEventTypes} items.");
        }

        for (var i = 0; i < eventTypes.Count && i < MaxEventTypes; i++)
        {
            if (!WebhookEventTypes.IsKnown(eventTypes[i]))
            {
                error($"eventTypes[{i}]", $"'{eventTypes[i]}' is not an event type; use {string.Join(", ", WebhookEventTypes.All)}.");
            }
        }

        if (eventNames.Count > MaxEventNames)
        {
            error("eventNames", $"must hold at most {MaxEventNames} items.");
        }

        for (var i = 0; i < eventNames.Count && i < MaxEventNames; i++)
        {
            if (string.IsNullOrWhiteSpace(eventNames[i]) || eventNames[i]!.Length > RequestAnalyticsDefaults.MaxEventNameLength)
            {
                error($"eventNames[{i}]", $"must be an event name of 1 to {RequestAnalyticsDefaults.MaxEventNameLength} characters.");
            }
        }
    }

    /// <summary>The wire names of <see cref="WebhookFormat"/>, as the API and configuration take them.</summary>
    public static readonly string[] FormatNames = ["standardWebhooks", "slack", "teams", "discord"];

    public static void CheckFormat(WebhookFormat format, Action<string, string> error)
    {
        if (!Enum.IsDefined(format))
        {
            error("format", $"must be one of {string.Join(", ", FormatNames)}; it is {(int)format}.");
        }
    }

    /// <summary>Reads a format's wire name (exact, case-sensitive, as the API's other enumerations).</summary>
    public static bool TryParseFormat(string? text, out WebhookFormat format)
    {
        var i = Array.IndexOf(FormatNames, text);
        format = (WebhookFormat)Math.Max(i, 0);
        return i >= 0;
    }

    public static void CheckSecrets(IReadOnlyList<string?> secrets, Action<string, string> error)
    {
        if (secrets.Count is < 1 or > 2)
        {
            error("secrets", $"must hold one secret, or two while rotating; it holds {secrets.Count}.");
        }

        for (var i = 0; i < secrets.Count; i++)
        {
            if (WebhookSecret.Check(secrets[i]) is { } secretError)
            {
                error($"secrets[{i}]", secretError);
            }
        }
    }

    public const int MaxCheckLength = 100;

    /// <param name="rule">The rule.</param>
    /// <param name="knownSlos">The names of the objectives declared in options, which a burnRate rule must name.</param>
    /// <param name="error">Called with the field and the message of each problem.</param>
    public static void CheckRule(AlertRule rule, IReadOnlyCollection<string> knownSlos, Action<string, string> error)
    {
        if (string.IsNullOrWhiteSpace(rule.Name) || rule.Name.Length > MaxNameLength)
        {
            error("name", $"must be 1 to {MaxNameLength} characters.");
        }

        if (!Enum.IsDefined(rule.Metric))
        {
            error("metric", $"must be one of {string.Join(", ", AlertText.MetricNames)}.");
        }

        if (!Enum.IsDefined(rule.Operator))
        {
            error("operator", $"must be one of {string.Join(", ", AlertText.OperatorNames)}.");
        }

        if (rule.Window < MinWindow || rule.Window > MaxWindow || rule.Window.Ticks % TimeSpan.TicksPerMinute != 0)
        {
            error("window", $"must be whole minutes from 1m to 1d; it is {AlertText.Window(rule.Window)}.");
        }

        if (rule.Route is { Length: > MaxFilterLength })
        {
            error("route", $"must be at most {MaxFilterLength} characters.");
        }

        if (rule.Method is { } method && (method.Length > 20 || !method.All(char.IsAsciiLetter)))
        {
            error("method", "must be an HTTP method such as GET.");
        }

        if (rule.EventName is { Length: > RequestAnalyticsDefaults.MaxEventNameLength })
        {
            error("eventName", $"must be at most {RequestAnalyticsDefaults.MaxEventNameLength} characters.");
        }

        if (rule.Metric is AlertMetric.EventCount or AlertMetric.ChangeRatio ? false : rule.EventName is not null)
        {
            error("eventName", "applies to the eventCount and changeRatio metrics only.");
        }

        if (rule.Metric == AlertMetric.BurnRate)
        {
            if (rule.Slo is null)
            {
                error("slo", "is required by burnRate: the name of an objective declared in RequestAnalytics:Slos.");
            }
            else if (!knownSlos.Contains(rule.Slo))
            {
                error("slo", knownSlos.Count == 0
                    ? $"'{Shorten(rule.Slo)}' is not a declared objective; none is declared (RequestAnalytics:Slos)."
                    : $"'{Shorten(rule.Slo)}' is not a declared objective; use one of {string.Join(", ", knownSlos)}.");
            }
        }
        else if (rule.Slo is not null)
        {
            error("slo", "applies to the burnRate metric only.");
        }

        if (rule.Check is not null && rule.Metric != AlertMetric.HealthCheck)
        {
            error("check", "applies to the healthCheck metric only.");
        }
        else if (rule.Check is { } check && (check.Length > MaxCheckLength || string.IsNullOrWhiteSpace(check)))
        {
            error("check", $"must be a health check's name of 1 to {MaxCheckLength} characters.");
        }

        var (min, max, unit) = rule.Metric switch
        {
            AlertMetric.BurnRate => (0d, 1_000_000d, "a burn rate from 0 to 1000000 (14.4 spends 2 % of a 30-day budget in an hour)"),
            AlertMetric.ErrorRate => (0d, 1d, "a share from 0 to 1 (0.1 is 10 %)"),
            AlertMetric.P95 or AlertMetric.P99 => (0d, 3_600_000d, "milliseconds from 0 to 3600000"),
            AlertMetric.ChangeRatio => (double.Epsilon, 1_000_000d, "a ratio above 0 and at most 1000000"),
            _ => (0d, 1e12, "a count from 0 to 10^12"),
        };
        if (!double.IsFinite(rule.Threshold) || rule.Threshold < min || rule.Threshold > max)
        {
            error("threshold", $"must be {unit} for {AlertText.Metric(rule.Metric)}; it is {rule.Threshold}.");
        }
    }

    private static string Shorten(string value) => value.Length > 64 ? string.Concat(value.AsSpan(0, 64), "…") : value;
}
