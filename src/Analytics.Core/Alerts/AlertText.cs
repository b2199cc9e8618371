using System.Globalization;

namespace Analytics.Alerts;

/// <summary>The wire names of alert metrics and operators, and the short form of windows (<c>30s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>).</summary>
internal static class AlertText
{
    public static readonly string[] MetricNames = ["errorRate", "p95", "p99", "requestCount", "eventCount", "changeRatio", "burnRate", "healthCheck"];
    public static readonly string[] OperatorNames = [">", ">=", "<", "<="];

    public static string Metric(AlertMetric metric) => MetricNames[(int)metric];

    public static string Operator(AlertOperator op) => OperatorNames[(int)op];

    public static bool TryParseMetric(string? text, out AlertMetric metric)
    {
        var i = Array.FindIndex(MetricNames, n => n.Equals(text, StringComparison.OrdinalIgnoreCase));
        metric = (AlertMetric)Math.Max(i, 0);
        return i >= 0;
    }

    public static bool TryParseOperator(string? text, out AlertOperator op)
    {
        var i = Array.IndexOf(OperatorNames, text?.Trim());
        if (i < 0)
        {
            i = text?.Trim().ToLowerInvariant() switch
            {
                "gt" or "greaterthan" => 0,
                "gte" or "ge" or "greaterthanorequal" => 1,
                "lt" or "lessthan" => 2,
                "lte" or "le" or "lessthanorequal" => 3,
                _ => -1,
            };
        }

        op = (AlertOperator)Math.Max(i, 0);
        return i >= 0;
    }

    public static string Window(TimeSpan window) =>
        window.Ticks % TimeSpan.TicksPerDay == 0 ? string.Create(CultureInfo.InvariantCulture, $"{window.Ticks / TimeSpan.TicksPerDay}d")
        : window.Ticks % TimeSpan.TicksPerHour == 0 ? string.Create(CultureInfo.InvariantCulture, $"{window.Ticks / TimeSpan.TicksPerHour}h")
        : window.Ticks % TimeSpan.TicksPerMinute == 0 ? string.Create(CultureInfo.InvariantCulture, $"{window.Ticks / TimeSpan.TicksPerMinute}m")
        : window.ToString("c", CultureInfo.InvariantCulture);

    /// <summary>Parses <c>90s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, or a <see cref="TimeSpan"/> such as <c>00:05:00</c>.</summary>
    public static bool TryParseWindow(string? text, out TimeSpan window)
    {
        window = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        var unit = text[^1] switch
        {
            's' => TimeSpan.TicksPerSecond,
            'm' => TimeSpan.TicksPerMinute,
            'h' => TimeSpan.TicksPerHour,
            'd' => TimeSpan.TicksPerDay,
            _ => 0,
        };
        if (unit > 0)
        {
            if (!int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 100_000)
            {
                return false;
            }

            window = TimeSpan.FromTicks(n * unit);
            return true;
        }

        // Only the hh:mm:ss form: a bare "5" would otherwise read as five days.
        return text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out window);
    }
}
