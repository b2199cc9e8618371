-- Version 1: raw requests and raw custom events.
-- Times are Unix microseconds (UTC) in INTEGER columns: compact, sortable, and exact for DateTimeOffset round trips.

CREATE TABLE requests (
    id                INTEGER PRIMARY KEY,   -- rowid alias: increases with insertion, the keyset for paging
    ts                INTEGER NOT NULL,
    method            TEXT    NOT NULL,
    route             TEXT    NOT NULL,      -- the route template, never the raw path: the grouping key
    path              TEXT    NOT NULL,
    status            INTEGER NOT NULL,
    duration_us       INTEGER NOT NULL,
    request_bytes     INTEGER NOT NULL,
    response_bytes    INTEGER NOT NULL,
    client_ip         TEXT,
    user_agent        TEXT,
    protocol          TEXT,
    kind              INTEGER NOT NULL,
    trace_id          TEXT,
    user_id           TEXT,
    environment       TEXT,
    instance          TEXT,
    exception_type    TEXT,
    exception_message TEXT
);

-- Range scans (request log, retention) walk ts.
CREATE INDEX ix_requests_ts ON requests (ts);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    ts          INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    user_id     TEXT,
    duration_us INTEGER,
    success     INTEGER,
    properties  TEXT,                        -- a JSON object
    environment TEXT,
    instance    TEXT
);

CREATE INDEX ix_events_ts ON events (ts);
CREATE INDEX ix_events_name_ts ON events (name, ts);
