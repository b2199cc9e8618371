-- Version 12: raw requests keep each repeating string once (issue 26, goal 4: disk per million raw requests).
-- A raw row was 155 bytes, most of it strings that repeat on nearly every row: the user agent (65 bytes on average in
-- the benchmarks' API-shaped traffic), route, method, protocol, client address, path: 187 MB a million requests, 73 MB
-- in this layout, 40 bytes a row (benchmarks/README.md, "Disk per million raw requests"). Now:
-- - request_shapes: each distinct (method, route, protocol, user agent, kind, environment, instance, exception type,
--   consumer, release) once; a row keeps the shape's id. A service has few of them: routes × clients × releases.
-- - request_strings: each distinct path and client address once; a row keeps their ids.
-- - trace_id: a W3C trace id (32 lowercase hex digits) as its 16 bytes (a BLOB); anything else as the text it was.
-- - requests is now a view that joins them back, column for column as the table was, so every read (request log,
--   export, error occurrences, tests) returns exactly what it did; inserting into the view interns through a trigger
--   (the store's writer interns in memory instead: SqliteRequestInsert).
-- Ids in request_strings and request_shapes are never deleted or reused: retention deletes request_rows only.
-- Existing rows are converted here, ids kept. The file keeps the size it had until SQLite reuses the freed pages
-- (or VACUUM); the rows written afterwards fill them.

CREATE TABLE request_strings (
    id   INTEGER PRIMARY KEY,
    text TEXT    NOT NULL UNIQUE
);

CREATE TABLE request_shapes (
    id             INTEGER PRIMARY KEY,
    method         TEXT    NOT NULL,
    route          TEXT    NOT NULL,
    protocol       TEXT,
    user_agent     TEXT,
    kind           INTEGER NOT NULL,
    environment    TEXT,
    instance       TEXT,
    exception_type TEXT,
    consumer       TEXT,
    release        TEXT
);

-- The writer looks a shape up only when its cache misses (with IS, as most columns may be NULL). Every column is in the
-- index: with only some of them, 100 000 consumers on one route and user agent made each lookup a scan of them all.
CREATE INDEX ix_request_shapes ON request_shapes (route, method, consumer, user_agent, protocol, kind, environment, instance,
    exception_type, release);

CREATE TABLE request_rows (
    id                INTEGER PRIMARY KEY,   -- rowid alias: increases with insertion, the keyset for paging
    ts                INTEGER NOT NULL,
    shape             INTEGER NOT NULL,      -- request_shapes.id
    path              INTEGER NOT NULL,      -- request_strings.id
    status            INTEGER NOT NULL,
    duration_us       INTEGER NOT NULL,
    request_bytes     INTEGER NOT NULL,
    response_bytes    INTEGER NOT NULL,
    client_ip         INTEGER,               -- request_strings.id
    trace_id          BLOB,                  -- 16 bytes for a W3C trace id, else the text as it came
    user_id           TEXT,
    exception_message TEXT,
    stack_trace       TEXT,
    fingerprint       TEXT
);

INSERT INTO request_shapes (method, route, protocol, user_agent, kind, environment, instance, exception_type, consumer, release)
SELECT DISTINCT method, route, protocol, user_agent, kind, environment, instance, exception_type, consumer, release FROM requests;

INSERT OR IGNORE INTO request_strings (text) SELECT path FROM requests;
INSERT OR IGNORE INTO request_strings (text) SELECT client_ip FROM requests WHERE client_ip IS NOT NULL;

INSERT INTO request_rows (id, ts, shape, path, status, duration_us, request_bytes, response_bytes, client_ip, trace_id, user_id,
    exception_message, stack_trace, fingerprint)
SELECT r.id, r.ts,
    (SELECT s.id FROM request_shapes s
        WHERE s.route = r.route AND s.method = r.method AND s.user_agent IS r.user_agent AND s.protocol IS r.protocol
            AND s.kind = r.kind AND s.environment IS r.environment AND s.instance IS r.instance
            AND s.exception_type IS r.exception_type AND s.consumer IS r.consumer AND s.release IS r.release),
    (SELECT p.id FROM request_strings p WHERE p.text = r.path),
    r.status, r.duration_us, r.request_bytes, r.response_bytes,
    (SELECT c.id FROM request_strings c WHERE c.text = r.client_ip),
    r.trace_id, r.user_id, r.exception_message, r.stack_trace, r.fingerprint
FROM requests r;

DROP TABLE requests;

-- Range scans (request log, retention) walk ts.
CREATE INDEX ix_request_rows_ts ON request_rows (ts);
CREATE INDEX ix_request_rows_fingerprint ON request_rows (fingerprint, id) WHERE fingerprint IS NOT NULL;

-- LEFT JOINs keep request_rows the outer loop whatever a query filters on, so a page still walks ix_request_rows_ts.
CREATE VIEW requests AS
SELECT r.id AS id, r.ts AS ts, s.method AS method, s.route AS route, p.text AS path, r.status AS status,
    r.duration_us AS duration_us, r.request_bytes AS request_bytes, r.response_bytes AS response_bytes,
    c.text AS client_ip, s.user_agent AS user_agent, s.protocol AS protocol, s.kind AS kind,
    CASE WHEN typeof(r.trace_id) = 'blob' THEN lower(hex(r.trace_id)) ELSE r.trace_id END AS trace_id,
    r.user_id AS user_id, s.environment AS environment, s.instance AS instance, s.exception_type AS exception_type,
    r.exception_message AS exception_message, r.stack_trace AS stack_trace, r.fingerprint AS fingerprint,
    s.consumer AS consumer, s.release AS release
FROM request_rows r
LEFT JOIN request_shapes s ON s.id = r.shape
LEFT JOIN request_strings p ON p.id = r.path
LEFT JOIN request_strings c ON c.id = r.client_ip;

-- An INSERT into the view (tools, tests, hand-written SQL) interns as the writer does, in SQL.
CREATE TRIGGER requests_insert INSTEAD OF INSERT ON requests
BEGIN
    INSERT OR IGNORE INTO request_strings (text) VALUES (NEW.path);
    INSERT OR IGNORE INTO request_strings (text) SELECT NEW.client_ip WHERE NEW.client_ip IS NOT NULL;
    INSERT INTO request_shapes (method, route, protocol, user_agent, kind, environment, instance, exception_type, consumer, release)
    SELECT NEW.method, NEW.route, NEW.protocol, NEW.user_agent, NEW.kind, NEW.environment, NEW.instance, NEW.exception_type,
        NEW.consumer, NEW.release
    WHERE NOT EXISTS (SELECT 1 FROM request_shapes s
        WHERE s.route = NEW.route AND s.method = NEW.method AND s.user_agent IS NEW.user_agent AND s.protocol IS NEW.protocol
            AND s.kind = NEW.kind AND s.environment IS NEW.environment AND s.instance IS NEW.instance
            AND s.exception_type IS NEW.exception_type AND s.consumer IS NEW.consumer AND s.release IS NEW.release);
    INSERT INTO request_rows (id, ts, shape, path, status, duration_us, request_bytes, response_bytes, client_ip, trace_id, user_id,
        exception_message, stack_trace, fingerprint)
    VALUES (NEW.id, NEW.ts,
        (SELECT s.id FROM request_shapes s
            WHERE s.route = NEW.route AND s.method = NEW.method AND s.user_agent IS NEW.user_agent AND s.protocol IS NEW.protocol
                AND s.kind = NEW.kind AND s.environment IS NEW.environment AND s.instance IS NEW.instance
                AND s.exception_type IS NEW.exception_type AND s.consumer IS NEW.consumer AND s.release IS NEW.release),
        (SELECT p.id FROM request_strings p WHERE p.text = NEW.path),
        NEW.status, NEW.duration_us, NEW.request_bytes, NEW.response_bytes,
        (SELECT c.id FROM request_strings c WHERE c.text = NEW.client_ip),
        NEW.trace_id, NEW.user_id, NEW.exception_message, NEW.stack_trace, NEW.fingerprint);
END;
