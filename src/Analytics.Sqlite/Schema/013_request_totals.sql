-- Version 13: per-bucket totals of the request rollups (issue 26, goal 5: every dashboard call < 10 ms on SQLite).
-- The overview and the time series add up every request rollup of a bucket, about 58 rows an hour on the benchmarks'
-- 90-day database, at about 5 µs a row with sketches: 44 ms for a week of hours. They need no key but the bucket, the
-- kind (long-lived requests' durations are connection lifetimes, not latency) and the status class (Apdex credits a
-- row by its share of successful requests, and a class's rows are all failures, 5xx, or nearly all successes). This
-- table keeps those sums and merged sketches per (granularity, bucket, kind, status class), written by the store's
-- writer from each batch's rollup rows in the same transaction, and read by the store instead of request_rollups
-- when a read asks for bucket totals with no filter but the kind (RollupQuery.BucketTotals). status_class is the
-- status code divided by 100. Retention purges it with request_rollups, by granularity and bucket.
-- Existing files get their totals here from their rollups, through the aggregate functions analytics_latency_total
-- and analytics_hll_total that SqliteSchema registers on the migrating connection (they merge sketches in C#; SQLite
-- has no function for it), so every bucket reads the same way from the first read on.

CREATE TABLE request_totals (
    granularity     INTEGER NOT NULL,
    bucket_start    INTEGER NOT NULL,
    kind            INTEGER NOT NULL,
    status_class    INTEGER NOT NULL,
    count           INTEGER NOT NULL,
    errors          INTEGER NOT NULL,
    duration_sum_us INTEGER NOT NULL,
    duration_min_us INTEGER NOT NULL,
    duration_max_us INTEGER NOT NULL,
    request_bytes   INTEGER NOT NULL,
    response_bytes  INTEGER NOT NULL,
    latency         BLOB    NOT NULL,   -- LatencySketch.ToBytes()
    users           BLOB,               -- CardinalitySketch.ToBytes(), NULL while no row of the bucket had one
    clients         BLOB,
    consumers       BLOB
);

CREATE UNIQUE INDEX ux_request_totals ON request_totals (granularity, bucket_start, kind, status_class);

INSERT INTO request_totals (granularity, bucket_start, kind, status_class, count, errors, duration_sum_us, duration_min_us,
    duration_max_us, request_bytes, response_bytes, latency, users, clients, consumers)
SELECT granularity, bucket_start, kind, status / 100, sum(count), sum(errors), sum(duration_sum_us), min(duration_min_us),
    max(duration_max_us), sum(request_bytes), sum(response_bytes), analytics_latency_total(latency), analytics_hll_total(users),
    analytics_hll_total(clients), analytics_hll_total(consumers)
FROM request_rollups
GROUP BY granularity, bucket_start, kind, status / 100;
