-- Version 2: minute/hour/day rollups of requests, failed requests and custom events.
-- granularity: 0 minute, 1 hour, 2 day. bucket_start: Unix microseconds (UTC), aligned to the granularity.
-- environment/instance/exception_type use '' for "none" because NULLs never conflict in a unique index, and the upsert
-- relies on the unique index to find the row to add to.
-- The unique index leads with (granularity, bucket_start): every query reads one granularity over a range of buckets,
-- and retention deletes one granularity below a cutoff, so both are range scans of that index.

CREATE TABLE request_rollups (
    granularity     INTEGER NOT NULL,
    bucket_start    INTEGER NOT NULL,
    route           TEXT    NOT NULL,
    method          TEXT    NOT NULL,
    status          INTEGER NOT NULL,
    environment     TEXT    NOT NULL,
    instance        TEXT    NOT NULL,
    count           INTEGER NOT NULL,
    errors          INTEGER NOT NULL,
    duration_sum_us INTEGER NOT NULL,
    duration_min_us INTEGER NOT NULL,
    duration_max_us INTEGER NOT NULL,
    request_bytes   INTEGER NOT NULL,
    response_bytes  INTEGER NOT NULL,
    latency         BLOB    NOT NULL    -- LatencySketch.ToBytes()
);

CREATE UNIQUE INDEX ux_request_rollups ON request_rollups (granularity, bucket_start, route, method, status, environment, instance);

CREATE TABLE error_rollups (
    granularity    INTEGER NOT NULL,
    bucket_start   INTEGER NOT NULL,
    route          TEXT    NOT NULL,
    method         TEXT    NOT NULL,
    status         INTEGER NOT NULL,
    exception_type TEXT    NOT NULL,
    environment    TEXT    NOT NULL,
    instance       TEXT    NOT NULL,
    count          INTEGER NOT NULL,
    first_seen     INTEGER NOT NULL,
    last_seen      INTEGER NOT NULL,
    last_message   TEXT
);

CREATE UNIQUE INDEX ux_error_rollups ON error_rollups (granularity, bucket_start, route, method, status, exception_type, environment, instance);

CREATE TABLE event_rollups (
    granularity  INTEGER NOT NULL,
    bucket_start INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    environment  TEXT    NOT NULL,
    instance     TEXT    NOT NULL,
    count        INTEGER NOT NULL,
    successes    INTEGER NOT NULL,
    failures     INTEGER NOT NULL,
    duration     BLOB                   -- NULL until an event of the bucket carries a duration
);

CREATE UNIQUE INDEX ux_event_rollups ON event_rollups (granularity, bucket_start, name, environment, instance);
