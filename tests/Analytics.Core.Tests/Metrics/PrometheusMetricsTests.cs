using System.Globalization;
using System.Text;
using Analytics.Metrics;
using Analytics.Storage;
using Analytics.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Tests.Metrics;

public sealed class PrometheusMetricsTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void CountersAndTheHistogramAddUpEveryCommittedBatchOnce()
    {
        var metrics = new PrometheusMetrics();
        // Latencies of 3, 30 and 300 ms, twice over two batches and two minutes: hour and day rollups must not count again.
        metrics.Add(Batch(Start, ("/items/{id}", 200, 3), ("/items/{id}", 200, 30), ("/items/{id}", 500, 300)));
        metrics.Add(Batch(Start.AddMinutes(1), ("/items/{id}", 200, 3), ("/items/{id}", 200, 30), ("/items/{id}", 500, 300)));

        var text = metrics.Write(new StubPipeline(), streamSubscribers: 2, Instruments());
        var samples = Samples(text);

        Assert.Equal(4, samples["analytics_http_requests_total{route=\"/items/{id}\",method=\"GET\",status=\"200\"}"]);
        Assert.Equal(2, samples["analytics_http_requests_total{route=\"/items/{id}\",method=\"GET\",status=\"500\"}"]);
        const string ok = "route=\"/items/{id}\",method=\"GET\",status=\"200\"";
        Assert.Equal(2, samples[$"analytics_http_request_duration_seconds_bucket{{{ok},le=\"0.005\"}}"]);
        Assert.Equal(2, samples[$"analytics_http_request_duration_seconds_bucket{{{ok},le=\"0.025\"}}"]);
        Assert.Equal(4, samples[$"analytics_http_request_duration_seconds_bucket{{{ok},le=\"0.05\"}}"]);
        Assert.Equal(4, samples[$"analytics_http_request_duration_seconds_bucket{{{ok},le=\"+Inf\"}}"]);
        Assert.Equal(4, samples[$"analytics_http_request_duration_seconds_count{{{ok}}}"]);
        Assert.Equal(0.066, samples[$"analytics_http_request_duration_seconds_sum{{{ok}}}"], 9);
        Assert.Equal(4 * 10, samples[$"analytics_http_response_body_bytes_total{{{ok}}}"]);
        Assert.Equal(2, samples["analytics_events_total{name=\"deploy\"}"]);
        Assert.Equal(2, samples["analytics_events_failed_total{name=\"deploy\"}"]);
        Assert.Equal(7, samples["analytics_records_accepted_total"]);
        Assert.Equal(3, samples["analytics_records_dropped_total"]);
        Assert.Equal(2, samples["analytics_stream_subscribers"]);
    }

    [Fact]
    public void ConnectionsAreCountedButKeptOutOfTheLatencyHistogram()
    {
        var metrics = new PrometheusMetrics();
        var batch = Batch(Start, ("/hub", 200, 3), ("/hub", 200, 30));
        foreach (var (kind, seconds) in new[] { (RequestKind.WebSocket, 5.0), (RequestKind.ServerSentEvents, 3.0) })
        {
            batch.AddRequest(new RequestRecord
            {
                Timestamp = Start, Method = "GET", Route = "/hub", Path = "/hub", StatusCode = 200, Duration = TimeSpan.FromSeconds(seconds), Kind = kind,
            }, keepRaw: false);
        }

        metrics.Add(batch);
        var samples = Samples(metrics.Write(new StubPipeline(), streamSubscribers: 0, Instruments()));

        const string hub = "route=\"/hub\",method=\"GET\",status=\"200\"";
        Assert.Equal(4, samples[$"analytics_http_requests_total{{{hub}}}"]);
        Assert.Equal(2, samples[$"analytics_http_request_duration_seconds_count{{{hub}}}"]);
        Assert.Equal(2, samples[$"analytics_http_request_duration_seconds_bucket{{{hub},le=\"+Inf\"}}"]);
        Assert.Equal(2, samples[$"analytics_http_request_duration_seconds_bucket{{{hub},le=\"0.05\"}}"]);
        Assert.Equal(0.033, samples[$"analytics_http_request_duration_seconds_sum{{{hub}}}"], 9);
        Assert.Equal(2, samples[$"analytics_http_connections_total{{{hub}}}"]);
        Assert.Equal(8, samples[$"analytics_http_connection_duration_seconds_total{{{hub}}}"], 9);
    }

    [Fact]
    public void EveryFamilyHasHelpAndTypeAndTheBucketsNeverDecrease()
    {
        var metrics = new PrometheusMetrics();
        metrics.Add(Batch(Start, [.. Enumerable.Range(0, 200).Select(i => ("/r", 200, Math.Pow(1.05, i) / 10))]));
        var text = metrics.Write(new StubPipeline(), 0, Instruments());

        var families = text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToArray();
        Assert.Equal(families.Length, text.Split('\n').Count(l => l.StartsWith("# HELP ", StringComparison.Ordinal)));
        Assert.Equal(families.Length, families.Distinct().Count());

        var buckets = Samples(text).Where(p => p.Key.StartsWith("analytics_http_request_duration_seconds_bucket", StringComparison.Ordinal)).Select(p => p.Value).ToArray();
        Assert.Equal(PrometheusMetrics.BucketBounds.Length + 1, buckets.Length);
        Assert.Equal(buckets.Order(), buckets);
        Assert.Equal(200, buckets[^1]);
    }

    [Fact]
    public void WebhookDeliveriesAndAlertTransitionsAreCountedByTheirLabels()
    {
        var instruments = Instruments();
        instruments.WebhookDelivered("alert.triggered", "retrying");
        instruments.WebhookDelivered("alert.triggered", "retrying");
        instruments.WebhookDelivered("alert.triggered", "delivered");
        instruments.WebhookDelivered("request.failed", "gone");
        instruments.AlertTransition(triggered: true);
        instruments.AlertTransition(triggered: true);
        instruments.AlertTransition(triggered: false);

        var samples = Samples(new PrometheusMetrics().Write(new StubPipeline(), 0, instruments));

        Assert.Equal(2, samples["analytics_webhook_deliveries_total{event_type=\"alert.triggered\",outcome=\"retrying\"}"]);
        Assert.Equal(1, samples["analytics_webhook_deliveries_total{event_type=\"alert.triggered\",outcome=\"delivered\"}"]);
        Assert.Equal(1, samples["analytics_webhook_deliveries_total{event_type=\"request.failed\",outcome=\"gone\"}"]);
        Assert.Equal(3, samples.Count(s => s.Key.StartsWith("analytics_webhook_deliveries_total", StringComparison.Ordinal)));
        Assert.Equal(2, samples["analytics_alert_transitions_total{state=\"triggered\"}"]);
        Assert.Equal(1, samples["analytics_alert_transitions_total{state=\"resolved\"}"]);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\"b", "a\\\"b")]
    [InlineData("a\\b", "a\\\\b")]
    [InlineData("a\nb", "a\\nb")]
    public void LabelValuesAreEscaped(string value, string escaped)
    {
        var text = new StringBuilder();
        PrometheusMetrics.AppendLabelValue(text, value);
        Assert.Equal(escaped, text.ToString());
    }

    [Fact]
    public void NoTrafficStillWritesValidFamiliesAndThePipelineCounters()
    {
        var text = new PrometheusMetrics().Write(new StubPipeline(), 0, Instruments());
        Assert.Contains("# TYPE analytics_http_requests_total counter\n", text);
        Assert.Contains("analytics_queue_length 4\n", text);
        Assert.Contains("# TYPE analytics_webhook_deliveries_total counter\n", text);
        Assert.Contains("analytics_alert_transitions_total{state=\"triggered\"} 0\n", text);
        Assert.EndsWith("\n", text);
    }

    /// <summary>The pipeline's instruments on a meter of their own: their counts start at zero.</summary>
    private static AnalyticsMetrics Instruments() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());

    private static Dictionary<string, double> Samples(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith('#'))
            .Select(l => (Key: l[..l.LastIndexOf(' ')], Value: double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))
            .ToDictionary(p => p.Key, p => p.Value);

    private static AnalyticsBatch Batch(DateTimeOffset time, params (string Route, int Status, double Milliseconds)[] requests)
    {
        var batch = new AnalyticsBatch();
        foreach (var (route, status, ms) in requests)
        {
            batch.AddRequest(new RequestRecord
            {
                Timestamp = time,
                Method = "GET",
                Route = route,
                Path = route,
                StatusCode = status,
                Duration = TimeSpan.FromMilliseconds(ms),
                ResponseBytes = 10,
            });
        }

        batch.AddEvent(new EventRecord { Timestamp = time, Name = "deploy", Success = false });
        return batch;
    }

    private sealed class StubPipeline : IAnalyticsPipeline
    {
        public long Accepted => 7;

        public long Dropped => 3;

        public long Written => 4;

        public int QueueLength => 4;

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
