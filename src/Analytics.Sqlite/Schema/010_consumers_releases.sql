-- Version 10: API consumers and releases (issue 24).
-- Raw requests and events keep the consumer that called (every name, whatever the per-bucket limit) and the release
-- that served them; rows written before this version have neither (NULL).
-- The release joins the request rollup key, '' for "none" like environment and instance (NULLs never conflict in a
-- unique index): rows written before this version keep '' and read as no release. The unique index is rebuilt with
-- release last, so reads still range-scan (granularity, bucket_start). A rollup row also counts its distinct
-- consumers (CardinalitySketch.ToBytes(), NULL until a request of the row named one).

ALTER TABLE requests ADD COLUMN consumer TEXT;
ALTER TABLE requests ADD COLUMN release TEXT;
ALTER TABLE events ADD COLUMN consumer TEXT;
ALTER TABLE events ADD COLUMN release TEXT;

ALTER TABLE request_rollups ADD COLUMN release TEXT NOT NULL DEFAULT '';
ALTER TABLE request_rollups ADD COLUMN consumers BLOB;
DROP INDEX ux_request_rollups;
CREATE UNIQUE INDEX ux_request_rollups ON request_rollups (granularity, bucket_start, route, method, status, environment, instance, kind, release);

-- The per-consumer rollups: request rollups with the consumer in the key, at most MaxConsumersPerBucket names per
-- bucket and instance, the rest as '(other)'. A table of their own, so that reads without a consumer scan what they
-- did. No user, client or consumer sketches: a consumer's row answers who called, not how many.
CREATE TABLE consumer_rollups (
    granularity     INTEGER NOT NULL,
    bucket_start    INTEGER NOT NULL,
    route           TEXT    NOT NULL,
    method          TEXT    NOT NULL,
    status          INTEGER NOT NULL,
    environment     TEXT    NOT NULL,
    instance        TEXT    NOT NULL,
    kind            INTEGER NOT NULL,
    release         TEXT    NOT NULL,
    consumer        TEXT    NOT NULL,
    count           INTEGER NOT NULL,
    errors          INTEGER NOT NULL,
    duration_sum_us INTEGER NOT NULL,
    duration_min_us INTEGER NOT NULL,
    duration_max_us INTEGER NOT NULL,
    request_bytes   INTEGER NOT NULL,
    response_bytes  INTEGER NOT NULL,
    latency         BLOB    NOT NULL
);

CREATE UNIQUE INDEX ux_consumer_rollups ON consumer_rollups
    (granularity, bucket_start, route, method, status, environment, instance, kind, release, consumer);

-- One consumer's traffic over a range (consumer=) reads its own rows only.
CREATE INDEX ix_consumer_rollups_consumer ON consumer_rollups (granularity, consumer, bucket_start);
