-- Version 5: error tracking. A failed request keeps its sanitized stack trace and its error group (fingerprint);
-- error rollups are kept per group; error_groups holds each group's lifetime state (count, first and last seen,
-- severity, resolved, regressed). Rows written before this version have no fingerprint ('' in rollups).

ALTER TABLE requests ADD COLUMN stack_trace TEXT;
ALTER TABLE requests ADD COLUMN fingerprint TEXT;
CREATE INDEX ix_requests_fingerprint ON requests (fingerprint, id) WHERE fingerprint IS NOT NULL;

ALTER TABLE error_rollups ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
DROP INDEX ux_error_rollups;
CREATE UNIQUE INDEX ux_error_rollups ON error_rollups (granularity, bucket_start, route, method, status, exception_type, fingerprint, environment, instance);

CREATE TABLE error_groups (
    fingerprint    TEXT    PRIMARY KEY,
    route          TEXT    NOT NULL,
    method         TEXT    NOT NULL,
    status         INTEGER NOT NULL,
    exception_type TEXT,
    message        TEXT,
    count          INTEGER NOT NULL,
    first_seen     INTEGER NOT NULL,
    last_seen      INTEGER NOT NULL,
    severity       INTEGER NOT NULL,   -- ErrorSeverity: 0 low, 1 medium, 2 high
    resolved_at    INTEGER,            -- NULL while open
    regressed      INTEGER NOT NULL    -- 1 when it occurred again after being resolved
) WITHOUT ROWID;
