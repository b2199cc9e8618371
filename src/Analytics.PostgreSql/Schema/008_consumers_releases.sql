-- Version 8 (issue 24): who called and which release served.
-- Raw rows keep both as written (NULL: not named, or written before this version).
-- The request rollups gain release as the last column of their key ('' for none, as environment; rows written before
-- this version are release '') and the sketch of the distinct consumers their requests named (NULL: none did).
-- Per-consumer rollups live in a table of their own, with the request rollups' key plus the consumer, so reads without
-- a consumer filter cost what they did however many consumers call. The writer admits at most MaxConsumersPerBucket
-- consumers per bucket and counts the rest as '(other)', which bounds this table's rows per bucket.
-- Adding columns with a constant default rewrites no rows; the primary key is rebuilt once, with release last, so reads
-- still range-scan (granularity, bucket_start).

ALTER TABLE {schema}.requests ADD COLUMN release text, ADD COLUMN consumer text;
ALTER TABLE {schema}.events ADD COLUMN release text, ADD COLUMN consumer text;

ALTER TABLE {schema}.request_rollups ADD COLUMN release text NOT NULL DEFAULT '', ADD COLUMN consumers bytea;
ALTER TABLE {schema}.request_rollups ALTER COLUMN consumers SET STORAGE EXTERNAL;
ALTER TABLE {schema}.request_rollups DROP CONSTRAINT request_rollups_pkey;
ALTER TABLE {schema}.request_rollups ADD PRIMARY KEY (granularity, bucket_start, route, method, status, environment, instance, kind, release);

CREATE TABLE {schema}.consumer_rollups (
    granularity     smallint NOT NULL,
    bucket_start    bigint   NOT NULL,
    route           text     NOT NULL,
    method          text     NOT NULL,
    status          integer  NOT NULL,
    environment     text     NOT NULL,
    instance        text     NOT NULL,
    kind            smallint NOT NULL,
    release         text     NOT NULL,
    consumer        text     NOT NULL,
    count           bigint   NOT NULL,
    errors          bigint   NOT NULL,
    duration_sum_us bigint   NOT NULL,
    duration_min_us bigint   NOT NULL,
    duration_max_us bigint   NOT NULL,
    request_bytes   bigint   NOT NULL,
    response_bytes  bigint   NOT NULL,
    latency         bytea    NOT NULL,
    users           bytea,
    clients         bytea,
    PRIMARY KEY (granularity, bucket_start, route, method, status, environment, instance, kind, release, consumer)
);

ALTER TABLE {schema}.consumer_rollups
    ALTER COLUMN latency SET STORAGE EXTERNAL, ALTER COLUMN users SET STORAGE EXTERNAL, ALTER COLUMN clients SET STORAGE EXTERNAL;

-- The consumers list and consumer= reads select one consumer over a range of buckets.
CREATE INDEX ix_consumer_rollups_consumer ON {schema}.consumer_rollups (granularity, consumer, bucket_start);
