-- Version 3: error tracking. A failed request keeps its sanitized stack trace and its error group (fingerprint);
-- error rollups are kept per group; error_groups holds each group's lifetime state (count, first and last seen,
-- severity, resolved, regressed). Rows written before this version have no fingerprint ('' in rollups).

ALTER TABLE {schema}.requests ADD COLUMN stack_trace text, ADD COLUMN fingerprint text;
CREATE INDEX ix_requests_fingerprint ON {schema}.requests (fingerprint, id) WHERE fingerprint IS NOT NULL;

ALTER TABLE {schema}.error_rollups ADD COLUMN fingerprint text NOT NULL DEFAULT '';
ALTER TABLE {schema}.error_rollups DROP CONSTRAINT error_rollups_pkey;
ALTER TABLE {schema}.error_rollups ADD PRIMARY KEY (granularity, bucket_start, route, method, status, exception_type, fingerprint, environment, instance);

CREATE TABLE {schema}.error_groups (
    fingerprint    text     PRIMARY KEY,
    route          text     NOT NULL,
    method         text     NOT NULL,
    status         integer  NOT NULL,
    exception_type text,
    message        text,
    count          bigint   NOT NULL,
    first_seen     bigint   NOT NULL,
    last_seen      bigint   NOT NULL,
    severity       smallint NOT NULL,  -- ErrorSeverity: 0 low, 1 medium, 2 high
    resolved_at    bigint,             -- NULL while open
    regressed      boolean  NOT NULL   -- true when it occurred again after being resolved
);
