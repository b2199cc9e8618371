using System.Globalization;
using System.Text;
using Analytics.Storage;
using Analytics.Telemetry;

namespace Analytics.Metrics;

/// <summary>
/// The numbers behind <c>GET {prefix}/metrics</c>: counters and a latency histogram per route, method and status, plus
/// custom events, summed from the minute rollups of every batch this process committed. They are cumulative since the
/// process started, as Prometheus counters must be: they only grow, and a restart is a reset that <c>rate()</c> handles.
/// Each instance of a scaled-out app reports its own traffic, so Prometheus sums instances without counting twice.
/// </summary>
internal sealed class PrometheusMetrics
{
    /// <summary>The histogram's upper bounds in seconds: the Prometheus client libraries' defaults.</summary>
    internal static readonly double[] BucketBounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly object _lock = new();
    private readonly Dictionary<(string Route, string Method, int Status), RequestSeries> _requests = [];
    private readonly Dictionary<string, EventSeries> _events = new(StringComparer.Ordinal);

    /// <summary>Adds the minute rollups of a committed batch (through <see cref="PrometheusListener"/>).</summary>
    public void Add(AnalyticsBatch batch)
    {
        lock (_lock)
        {
            foreach (var rollup in batch.RequestRollups)
            {
                if (rollup.Granularity != Granularity.Minute)
                {
                    continue; // hours and days hold the same requests again
                }

                var key = (rollup.Route, rollup.Method, rollup.StatusCode);
                if (!_requests.TryGetValue(key, out var series))
                {
                    _requests[key] = series = new RequestSeries();
                }

                series.Add(rollup);
            }

            foreach (var rollup in batch.EventRollups)
            {
                if (rollup.Granularity != Granularity.Minute)
                {
                    continue;
                }

                if (!_events.TryGetValue(rollup.Name, out var series))
                {
                    _events[rollup.Name] = series = new EventSeries();
                }

                series.Count += rollup.Count;
                series.Failures += rollup.Failures;
            }
        }
    }

    /// <summary>Writes the text exposition format 0.0.4, the pipeline's, webhooks' and alerts' counters included.</summary>
    public string Write(IAnalyticsPipeline pipeline, int streamSubscribers, AnalyticsMetrics instruments)
    {
        var text = new StringBuilder(4_096);
        lock (_lock)
        {
            var requests = _requests
                .OrderBy(static p => p.Key.Route, StringComparer.Ordinal)
                .ThenBy(static p => p.Key.Method, StringComparer.Ordinal)
                .ThenBy(static p => p.Key.Status)
                .ToArray();

            Header(text, "analytics_http_requests_total", "counter",
                "Requests recorded by this process since it started, by route template, method and status code.");
            foreach (var (key, series) in requests)
            {
                Sample(text, "analytics_http_requests_total", key, null, series.Count);
            }

            Header(text, "analytics_http_request_duration_seconds", "histogram",
                "Request durations recorded by this process since it started, long-lived requests (WebSockets, " +
                "Server-Sent Events) left out; bucket bounds are within 2% (the latency sketch's accuracy).");
            foreach (var (key, series) in requests)
            {
                for (var i = 0; i < BucketBounds.Length; i++)
                {
                    Sample(
                        text,
                        "analytics_http_request_duration_seconds_bucket",
                        key,
                        BucketBounds[i].ToString(CultureInfo.InvariantCulture),
                        series.Buckets[i]);
                }

                Sample(text, "analytics_http_request_duration_seconds_bucket", key, "+Inf", series.Timed);
                Sample(text, "analytics_http_request_duration_seconds_sum", key, null, series.DurationSumMicroseconds / 1e6);
                Sample(text, "analytics_http_request_duration_seconds_count", key, null, series.Timed);
            }

            // Connections' lifetimes would swamp any latency quantile, so they get counters of their own: the rate of the
            // second over the rate of the first is the mean time a connection stays open.
            Header(text, "analytics_http_connections_total", "counter",
                "Long-lived requests (WebSockets, Server-Sent Events) recorded by this process since it started, " +
                "counted when they close.");
            foreach (var (key, series) in requests)
            {
                if (series.Connections > 0)
                {
                    Sample(text, "analytics_http_connections_total", key, null, series.Connections);
                }
            }

            Header(text, "analytics_http_connection_duration_seconds_total", "counter",
                "How long the long-lived requests recorded by this process since it started stayed open, added up.");
            foreach (var (key, series) in requests)
            {
                if (series.Connections > 0)
                {
                    Sample(text, "analytics_http_connection_duration_seconds_total", key, null, series.ConnectionDurationSumMicroseconds / 1e6);
                }
            }

            Header(text, "analytics_http_request_body_bytes_total", "counter", "Request body bytes recorded by this process since it started.");
            foreach (var (key, series) in requests)
            {
                Sample(text, "analytics_http_request_body_bytes_total", key, null, series.RequestBytes);
            }

            Header(text, "analytics_http_response_body_bytes_total", "counter", "Response body bytes recorded by this process since it started.");
            foreach (var (key, series) in requests)
            {
                Sample(text, "analytics_http_response_body_bytes_total", key, null, series.ResponseBytes);
            }

            var events = _events.OrderBy(static p => p.Key, StringComparer.Ordinal).ToArray();
            Header(text, "analytics_events_total", "counter", "Custom events tracked by this process since it started, by name.");
            foreach (var (name, series) in events)
            {
                EventSample(text, "analytics_events_total", name, series.Count);
            }

            Header(text, "analytics_events_failed_total", "counter",
                "Custom events tracked with success=false by this process since it started, by name.");
            foreach (var (name, series) in events)
            {
                EventSample(text, "analytics_events_failed_total", name, series.Failures);
            }
        }

        Single(text, "analytics_records_accepted_total", "counter",
            "Records (requests and events) that entered the analytics queue.", pipeline.Accepted);
        Single(text, "analytics_records_dropped_total", "counter", "Records lost: queue full, pipeline stopped, or store failing.", pipeline.Dropped);
        Single(text, "analytics_records_written_total", "counter", "Records persisted by the analytics store.", pipeline.Written);
        Single(text, "analytics_queue_length", "gauge", "Records waiting in the analytics queue.", pipeline.QueueLength);
        Single(text, "analytics_stream_subscribers", "gauge", "Open live-stream connections.", streamSubscribers);

        Header(text, "analytics_webhook_deliveries_total", "counter",
            "Webhook deliveries made by this process since it started, by event type and outcome " +
            "(delivered, retrying, failed, gone, abandoned, superseded).");
        foreach (var (eventType, outcome, count) in instruments.WebhookDeliveries)
        {
            text.Append("analytics_webhook_deliveries_total{event_type=\"");
            AppendLabelValue(text, eventType);
            text.Append("\",outcome=\"");
            AppendLabelValue(text, outcome);
            text.Append("\"} ").Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        Header(text, "analytics_alert_transitions_total", "counter",
            "Alert rules that triggered or resolved in this process's evaluations since it started, by state.");
        text.Append("analytics_alert_transitions_total{state=\"triggered\"} ")
            .Append(instruments.AlertsTriggered.ToString(CultureInfo.InvariantCulture))
            .Append('\n');
        text.Append("analytics_alert_transitions_total{state=\"resolved\"} ")
            .Append(instruments.AlertsResolved.ToString(CultureInfo.InvariantCulture))
            .Append('\n');
        return text.ToString();
    }

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Single(StringBuilder text, string name, string type, string help, long value)
    {
        Header(text, name, type, help);
        text.Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static void Sample(StringBuilder text, string name, (string Route, string Method, int Status) key, string? le, double value)
    {
        text.Append(name).Append("{route=\"");
        AppendLabelValue(text, key.Route);
        text.Append("\",method=\"");
        AppendLabelValue(text, key.Method);
        text.Append("\",status=\"").Append(key.Status.ToString(CultureInfo.InvariantCulture)).Append('"');
        if (le is not null)
        {
            text.Append(",le=\"").Append(le).Append('"');
        }

        text.Append("} ").Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
    }

    private static void EventSample(StringBuilder text, string name, string eventName, long value)
    {
        text.Append(name).Append("{name=\"");
        AppendLabelValue(text, eventName);
        text.Append("\"} ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    /// <summary>Escapes a label value as the exposition format requires: backslash, double quote and line feed.</summary>
    internal static void AppendLabelValue(StringBuilder text, string value)
    {
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => text.Append(@"\\"),
                '"' => text.Append("\\\""),
                '\n' => text.Append(@"\n"),
                _ => text.Append(c),
            };
        }
    }

    private sealed class RequestSeries
    {
        public long Count;
        public long Timed;
        public long DurationSumMicroseconds;
        public long Connections;
        public long ConnectionDurationSumMicroseconds;
        public long RequestBytes;
        public long ResponseBytes;
        public readonly long[] Buckets = new long[BucketBounds.Length];

        public void Add(RequestRollup rollup)
        {
            Count += rollup.Count;
            RequestBytes += rollup.RequestBytes;
            ResponseBytes += rollup.ResponseBytes;
            if (rollup.Kind.IsLongLived())
            {
                Connections += rollup.Count;
                ConnectionDurationSumMicroseconds += rollup.DurationSumMicroseconds;
                return;
            }

            Timed += rollup.Count;
            DurationSumMicroseconds += rollup.DurationSumMicroseconds;
            if (rollup.Latency is { } sketch)
            {
                for (var i = 0; i < Buckets.Length; i++)
                {
                    Buckets[i] += sketch.CountAtOrBelow(BucketBounds[i] * 1e6);
                }
            }
        }
    }

    private sealed class EventSeries
    {
        public long Count;
        public long Failures;
    }
}
