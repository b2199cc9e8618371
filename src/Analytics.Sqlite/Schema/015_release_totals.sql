-- Version 15: the release joins the key of request_totals (issue 26, goal 5: every dashboard call < 10 ms on SQLite).
-- The releases call (and the comparison with the previous release) adds up every request rollup of the range by
-- release: on the benchmarks' 90-day database 7 080 day rows with sketches, 22 ms. With the release in their key the
-- totals answer it (RollupQuery.BucketTotalsByRelease) with one row per bucket, kind, status class and release; a
-- running app has one release at a time, so a bucket has about as many totals as before, and reads that ignore the
-- release add them up as they did. Counts per bucket without a route, method, status, environment or instance filter
-- (the heatmap, a release's first and last seen) read them too. '' stands for "no release", as in request_rollups.
-- The table is rebuilt from the request rollups, as version 13 built it, with analytics_latency_total and
-- analytics_hll_total registered on the migrating connection.

DROP TABLE request_totals;

CREATE TABLE request_totals (
    granularity     INTEGER NOT NULL,
    bucket_start    INTEGER NOT NULL,
    kind            INTEGER NOT NULL,
    status_class    INTEGER NOT NULL,
    release         TEXT    NOT NULL,
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

CREATE UNIQUE INDEX ux_request_totals ON request_totals (granularity, bucket_start, kind, status_class, release);

-- Counts per bucket read this index alone: the table rows carry up to three dense cardinality sketches each, and
-- visiting them made the heatmap over 90 days (6 480 hour totals) slower than the rollups' own counts index.
CREATE INDEX ix_request_totals_counts ON request_totals (granularity, bucket_start, kind, release, count);

INSERT INTO request_totals (granularity, bucket_start, kind, status_class, release, count, errors, duration_sum_us,
    duration_min_us, duration_max_us, request_bytes, response_bytes, latency, users, clients, consumers)
SELECT granularity, bucket_start, kind, status / 100, release, sum(count), sum(errors), sum(duration_sum_us),
    min(duration_min_us), max(duration_max_us), sum(request_bytes), sum(response_bytes), analytics_latency_total(latency),
    analytics_hll_total(users), analytics_hll_total(clients), analytics_hll_total(consumers)
FROM request_rollups
GROUP BY granularity, bucket_start, kind, status / 100, release;
