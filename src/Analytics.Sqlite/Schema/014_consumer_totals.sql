-- Version 14: per-bucket totals of each consumer (issue 26, goal 5: every dashboard call < 10 ms on SQLite).
-- The consumers call adds up the per-consumer rollups of every bucket by consumer: on the benchmarks' 90-day database
-- that is thousands of rows with sketches over a day and more (15 ms over 24 hours, 122 ms over 90 days). It needs no
-- key but the bucket, the kind (long-lived requests' durations are connection lifetimes, not latency) and the consumer:
-- errors are counted, and no Apdex is scored per consumer. This table keeps those sums and merged sketches per
-- (granularity, bucket, kind, consumer), written by the store's writer from each batch's per-consumer rollups in the
-- same transaction, and read instead of consumer_rollups when a read asks for bucket totals with no filter but the kind
-- and the consumer (RollupQuery.BucketTotals). Retention purges it with the rollups, by granularity and bucket.
-- Existing files get their totals here from their per-consumer rollups, through the aggregate analytics_latency_total
-- that SqliteSchema registers on the migrating connection, so every bucket reads the same way from the first read on.

CREATE TABLE consumer_totals (
    granularity     INTEGER NOT NULL,
    bucket_start    INTEGER NOT NULL,
    kind            INTEGER NOT NULL,
    consumer        TEXT    NOT NULL,
    count           INTEGER NOT NULL,
    errors          INTEGER NOT NULL,
    duration_sum_us INTEGER NOT NULL,
    duration_min_us INTEGER NOT NULL,
    duration_max_us INTEGER NOT NULL,
    request_bytes   INTEGER NOT NULL,
    response_bytes  INTEGER NOT NULL,
    latency         BLOB    NOT NULL    -- LatencySketch.ToBytes()
);

CREATE UNIQUE INDEX ux_consumer_totals ON consumer_totals (granularity, bucket_start, kind, consumer);

INSERT INTO consumer_totals (granularity, bucket_start, kind, consumer, count, errors, duration_sum_us, duration_min_us,
    duration_max_us, request_bytes, response_bytes, latency)
SELECT granularity, bucket_start, kind, consumer, sum(count), sum(errors), sum(duration_sum_us), min(duration_min_us),
    max(duration_max_us), sum(request_bytes), sum(response_bytes), analytics_latency_total(latency)
FROM consumer_rollups
GROUP BY granularity, bucket_start, kind, consumer;
