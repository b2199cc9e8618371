using System.Globalization;
using Analytics.Queries;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Analytics.AspNetCore.Endpoints;

/// <summary>
/// Turns the query string of a read endpoint into an <see cref="AnalyticsQuery"/>, collecting every problem with the
/// parameter it belongs to, so that one 400 names them all.
/// </summary>
internal static class QueryParameters
{
    public const string DefaultRange = "24h";

    public static readonly IReadOnlyDictionary<string, TimeSpan> Ranges = new Dictionary<string, TimeSpan>(StringComparer.Ordinal)
    {
        ["15m"] = TimeSpan.FromMinutes(15),
        ["1h"] = TimeSpan.FromHours(1),
        ["6h"] = TimeSpan.FromHours(6),
        ["24h"] = TimeSpan.FromHours(24),
        ["7d"] = TimeSpan.FromDays(7),
        ["30d"] = TimeSpan.FromDays(30),
        ["90d"] = TimeSpan.FromDays(90),
    };

    /// <summary>The <c>kind</c> values, as the API writes <see cref="RequestKind"/>; matched ignoring case.</summary>
    public static readonly IReadOnlyDictionary<string, RequestKind> Kinds = new Dictionary<string, RequestKind>(StringComparer.OrdinalIgnoreCase)
    {
        ["http"] = RequestKind.Http,
        ["webSocket"] = RequestKind.WebSocket,
        ["grpc"] = RequestKind.Grpc,
        ["serverSentEvents"] = RequestKind.ServerSentEvents,
    };

    /// <summary>The <c>compare</c> values (<see cref="AnalyticsComparison"/>); matched ignoring case.</summary>
    public static readonly IReadOnlyDictionary<string, AnalyticsComparison> Comparisons =
        new Dictionary<string, AnalyticsComparison>(StringComparer.OrdinalIgnoreCase)
        {
            ["previous-period"] = AnalyticsComparison.PreviousPeriod,
            ["previous-release"] = AnalyticsComparison.PreviousRelease,
        };

    // Filters are matched exactly against stored values, which are bounded (route templates, methods, names); longer
    // input cannot match anything and is refused rather than carried into SQL parameters.
    internal const int MaxFilterLength = 1_024;

    public static bool TryParse(
        HttpRequest request,
        DateTimeOffset now,
        RequestAnalyticsOptions options,
        out AnalyticsQuery query,
        out Dictionary<string, string[]> errors)
    {
        errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var q = request.Query;
        var from = now;
        var to = now;

        string? range = Single(q, "range", errors);
        string? fromText = Single(q, "from", errors);
        string? toText = Single(q, "to", errors);
        if (fromText is not null || toText is not null)
        {
            if (range is not null)
            {
                errors["range"] = ["Give either range or from/to, not both."];
            }

            if (fromText is null)
            {
                errors["from"] = ["from is required when to is given."];
            }
            else if (!TryParseTime(fromText, out from))
            {
                errors["from"] = [$"'{Shorten(fromText)}' is not an ISO-8601 time such as 2026-11-21T10:00:00Z."];
            }

            if (toText is not null && !TryParseTime(toText, out to))
            {
                errors["to"] = [$"'{Shorten(toText)}' is not an ISO-8601 time such as 2026-11-21T10:00:00Z."];
            }

            if (!errors.ContainsKey("from") && !errors.ContainsKey("to") && from > to)
            {
                errors["from"] = ["from must not be after to."];
            }
        }
        else
        {
            range ??= DefaultRange;
            if (Ranges.TryGetValue(range, out var span))
            {
                from = now - span;
            }
            else
            {
                errors["range"] = [$"'{Shorten(range)}' is not one of {string.Join(", ", Ranges.Keys)}."];
            }
        }

        // Older data has been purged: an answer would silently undercount, so say so instead.
        var oldest = now - Longest(options.Retention);
        if (!errors.ContainsKey("from") && !errors.ContainsKey("range") && from < oldest)
        {
            errors[fromText is null ? "range" : "from"] =
                [$"The range starts before the oldest data kept ({oldest:O}); see RequestAnalytics:Retention."];
        }

        Granularity? granularity = null;
        if (Single(q, "granularity", errors) is { } granularityText)
        {
            granularity = granularityText.ToLowerInvariant() switch
            {
                "minute" => Granularity.Minute,
                "hour" => Granularity.Hour,
                "day" => Granularity.Day,
                _ => null,
            };
            if (granularity is null)
            {
                errors["granularity"] = [$"'{Shorten(granularityText)}' is not one of minute, hour, day."];
            }
        }

        string? status = Single(q, "status", errors);
        if (status is not null && !StatusFilter.TryParse(status, out _))
        {
            errors["status"] = [$"'{Shorten(status)}' is neither a status code from 100 to 599 nor a class such as 5xx."];
        }

        RequestKind? kind = null;
        if (Single(q, "kind", errors) is { } kindText)
        {
            if (Kinds.TryGetValue(kindText, out var parsed))
            {
                kind = parsed;
            }
            else
            {
                errors["kind"] = [$"'{Shorten(kindText)}' is not one of {string.Join(", ", Kinds.Keys)}."];
            }
        }

        var compare = AnalyticsComparison.None;
        if (Single(q, "compare", errors) is { } compareText)
        {
            if (Comparisons.TryGetValue(compareText, out var parsed))
            {
                compare = parsed;
            }
            else
            {
                errors["compare"] = [$"'{Shorten(compareText)}' is not one of {string.Join(", ", Comparisons.Keys)}."];
            }
        }

        int? limit = Limit(q, errors);

        long? before = null;
        if (Single(q, "before", errors) is { } beforeText)
        {
            if (long.TryParse(beforeText, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed) && parsed > 0)
            {
                before = parsed;
            }
            else
            {
                errors["before"] = [$"'{Shorten(beforeText)}' is not the positive id of a request (the 'next' of the previous page)."];
            }
        }

        query = new AnalyticsQuery
        {
            From = from,
            To = to,
            Route = Filter(q, "route", errors),
            Method = Filter(q, "method", errors),
            Status = status,
            Kind = kind,
            Environment = Filter(q, "environment", errors),
            Instance = Filter(q, "instance", errors),
            Consumer = Filter(q, "consumer", errors, RequestAnalyticsDefaults.MaxConsumerLength),
            Release = Filter(q, "release", errors, RequestAnalyticsDefaults.MaxReleaseLength),
            Compare = compare,
            EventName = Filter(q, "name", errors),
            Granularity = granularity,
            Limit = limit,
            Before = before,
        };
        return errors.Count == 0;
    }

    /// <summary>
    /// Maps a query's <see cref="ArgumentException.ParamName"/> (an <see cref="AnalyticsQuery"/> property) to its
    /// query-string name.
    /// </summary>
    public static string ToParameterName(string? paramName) => paramName switch
    {
        null or "" => "query",
        nameof(AnalyticsQuery.EventName) => "name",
        _ => char.ToLowerInvariant(paramName[0]) + paramName[1..],
    };

    private static TimeSpan Longest(RetentionOptions retention) =>
        new[] { retention.Raw, retention.Minute, retention.Hour, retention.Day }.Max();

    private static bool TryParseTime(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out value)
        && value >= DateTimeOffset.UnixEpoch
        && value.Year < 9999;

    /// <summary>Gets a parameter given at most once, trimmed, or <see langword="null"/> when absent or blank; twice is an error.</summary>
    internal static string? Single(IQueryCollection query, string name, Dictionary<string, string[]> errors)
    {
        if (!query.TryGetValue(name, out StringValues values) || values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            errors[name] = [$"{name} was given {values.Count} times; give it once."];
            return null;
        }

        return string.IsNullOrWhiteSpace(values[0]) ? null : values[0]!.Trim();
    }

    /// <summary>
    /// Reads <c>limit</c>, 1 to <see cref="AnalyticsQueries.MaxLimit"/>; <see langword="null"/> when absent or bad
    /// (then named in <paramref name="errors"/>).
    /// </summary>
    public static int? Limit(IQueryCollection query, Dictionary<string, string[]> errors)
    {
        if (Single(query, "limit", errors) is not { } text)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) && parsed is >= 1 and <= AnalyticsQueries.MaxLimit)
        {
            return parsed;
        }

        errors["limit"] = [$"'{Shorten(text)}' is not a whole number from 1 to {AnalyticsQueries.MaxLimit}."];
        return null;
    }

    private static string? Filter(IQueryCollection query, string name, Dictionary<string, string[]> errors, int maxLength = MaxFilterLength)
    {
        var value = Single(query, name, errors);
        if (value?.Length > maxLength)
        {
            errors[name] = [$"{name} is longer than {maxLength} characters."];
            return null;
        }

        return value;
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "…");
}
