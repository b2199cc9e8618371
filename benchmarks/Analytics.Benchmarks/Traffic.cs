namespace Analytics.Benchmarks;

/// <summary>
/// Deterministic, API-shaped traffic for the benchmarks and the database generator: a dozen routes with skewed
/// popularity, log-normal latencies per route, about 3 % 4xx and 1 % 5xx (half of them with an exception), a daily
/// cycle, and the fields the middleware fills on a typical request. The same seed gives the same records.
/// </summary>
internal sealed class Traffic
{
    private static readonly (string Method, string Route, string PathPrefix, double Weight, double MedianMs)[] Routes =
    [
        ("GET", "/items/{id}", "/items/", 30, 8),
        ("GET", "/items", "/items", 14, 15),
        ("GET", "/ping", "/ping", 12, 0.2),
        ("POST", "/orders", "/orders", 8, 35),
        ("GET", "/orders/{id}", "/orders/", 8, 12),
        ("GET", "/users/{id}/profile", "/users/", 6, 20),
        ("PUT", "/users/{id}", "/users/", 3, 25),
        ("GET", "/search", "/search", 6, 90),
        ("GET", "/reports/daily", "/reports/daily", 2, 400),
        ("DELETE", "/items/{id}", "/items/", 1, 10),
        ("GET", "/slow", "/slow", 1, 1_200),
        ("GET", "(unmatched)", "/wp-login.php", 1, 0.5),
    ];

    private static readonly string[] UserAgents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
        "okhttp/4.12.0",
        "python-requests/2.32.3",
    ];

    private readonly Random _random;
    private readonly double _totalWeight = Routes.Sum(r => r.Weight);

    public Traffic(int seed = 20261122)
    {
        _random = new Random(seed);
    }

    /// <summary>Relative traffic at a time of day: a trough of 0.15 at 04:00 UTC, a peak of 1 at 16:00.</summary>
    public static double DailyCycle(DateTimeOffset time) => 0.575 - (0.425 * Math.Cos((time.TimeOfDay.TotalHours - 4) / 24 * 2 * Math.PI));

    /// <summary>An array of <paramref name="count"/> records spread evenly over <paramref name="span"/> from <paramref name="start"/>.</summary>
    public RequestRecord[] Generate(int count, DateTimeOffset start, TimeSpan span)
    {
        var records = new RequestRecord[count];
        for (var i = 0; i < count; i++)
        {
            records[i] = Next(start + (span * i / count));
        }

        return records;
    }

    /// <summary>
    /// <paramref name="total"/> records over <paramref name="days"/> days ending at <paramref name="end"/>, in time
    /// order, distributed over the minutes by <see cref="DailyCycle"/>.
    /// </summary>
    public IEnumerable<RequestRecord> Stream(long total, int days, DateTimeOffset end)
    {
        var start = end.AddDays(-days);
        var minutes = days * 24 * 60;
        var weights = new double[minutes];
        for (var m = 0; m < minutes; m++)
        {
            weights[m] = DailyCycle(start.AddMinutes(m));
        }

        var perWeight = total / weights.Sum();
        long emitted = 0;
        double carry = 0;
        for (var m = 0; m < minutes; m++)
        {
            carry += weights[m] * perWeight;
            var count = m == minutes - 1 ? total - emitted : (long)carry;
            carry -= count;
            var minuteStart = start.AddMinutes(m);
            for (long i = 0; i < count; i++)
            {
                yield return Next(minuteStart.AddTicks(TimeSpan.TicksPerMinute * i / count));
            }

            emitted += count;
        }
    }

    private RequestRecord Next(DateTimeOffset timestamp)
    {
        var route = PickRoute();
        var roll = _random.NextDouble();
        var (status, exception) = roll switch
        {
            < 0.005 => (500, "System.InvalidOperationException"),
            < 0.010 => (503, (string?)null),
            < 0.030 => (404, null),
            < 0.040 => (400, null),
            _ => (route.Method == "POST" ? 201 : route.Route == "(unmatched)" ? 404 : 200, null),
        };

        // Log-normal around the route's median, sigma 0.6: a long right tail, as real latencies have.
        var milliseconds = route.MedianMs * Math.Exp(0.6 * NextGaussian());
        var path = route.PathPrefix.EndsWith('/') ? route.PathPrefix + _random.Next(1, 5_000).ToString(System.Globalization.CultureInfo.InvariantCulture) : route.PathPrefix;
        return new RequestRecord
        {
            Timestamp = timestamp,
            Method = route.Method,
            Route = route.Route,
            Path = path,
            StatusCode = status,
            Duration = TimeSpan.FromMilliseconds(milliseconds),
            RequestBytes = route.Method is "POST" or "PUT" ? _random.Next(100, 4_000) : 0,
            ResponseBytes = _random.Next(50, 20_000),
            ClientIp = $"203.0.{_random.Next(0, 256)}.0",
            UserAgent = UserAgents[_random.Next(UserAgents.Length)],
            Protocol = "HTTP/1.1",
            Kind = RequestKind.Http,
            ExceptionType = exception,
            ExceptionMessage = exception is null ? null : "Sequence contains no elements",
        };
    }

    private (string Method, string Route, string PathPrefix, double Weight, double MedianMs) PickRoute()
    {
        var x = _random.NextDouble() * _totalWeight;
        foreach (var route in Routes)
        {
            x -= route.Weight;
            if (x < 0)
            {
                return route;
            }
        }

        return Routes[^1];
    }

    private double NextGaussian()
    {
        // Box–Muller.
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
