-- Version 1: every table of the store, in the schema the store was given ({schema} below).
-- Times are Unix microseconds (UTC) in bigint columns, as in the SQLite store: exact for DateTimeOffset round trips,
-- no time-zone or infinity conversions, and the same arithmetic in both stores' queries.
-- environment/instance/exception_type use '' for "none" in the rollup keys, because a unique key treats NULLs as distinct.

CREATE TABLE {schema}.requests (
    id                bigint   GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ts                bigint   NOT NULL,
    method            text     NOT NULL,
    route             text     NOT NULL,
    path              text     NOT NULL,
    status            integer  NOT NULL,
    duration_us       bigint   NOT NULL,
    request_bytes     bigint   NOT NULL,
    response_bytes    bigint   NOT NULL,
    client_ip         text,
    user_agent        text,
    protocol          text,
    kind              integer  NOT NULL,
    trace_id          text,
    user_id           text,
    environment       text,
    instance          text,
    exception_type    text,
    exception_message text
);

-- Pages walk (ts, id) newest first; retention deletes below a ts.
CREATE INDEX ix_requests_ts ON {schema}.requests (ts, id);

CREATE TABLE {schema}.events (
    id          bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ts          bigint  NOT NULL,
    name        text    NOT NULL,
    user_id     text,
    duration_us bigint,
    success     boolean,
    properties  text,                       -- the JSON object as posted: text keeps it byte for byte
    environment text,
    instance    text
);

CREATE INDEX ix_events_ts ON {schema}.events (ts, id);
CREATE INDEX ix_events_name_ts ON {schema}.events (name, ts);

-- granularity: 0 minute, 1 hour, 2 day. Several instances add to the same row: the counts are added in SQL, the
-- sketch is merged by the writer while it holds the row's lock (SELECT ... FOR UPDATE), so no update is lost.
CREATE TABLE {schema}.request_rollups (
    granularity     smallint NOT NULL,
    bucket_start    bigint   NOT NULL,
    route           text     NOT NULL,
    method          text     NOT NULL,
    status          integer  NOT NULL,
    environment     text     NOT NULL,
    instance        text     NOT NULL,
    count           bigint   NOT NULL,
    errors          bigint   NOT NULL,
    duration_sum_us bigint   NOT NULL,
    duration_min_us bigint   NOT NULL,
    duration_max_us bigint   NOT NULL,
    request_bytes   bigint   NOT NULL,
    response_bytes  bigint   NOT NULL,
    latency         bytea    NOT NULL,     -- LatencySketch.ToBytes()
    PRIMARY KEY (granularity, bucket_start, route, method, status, environment, instance)
);

-- A sketch is rewritten by every batch that adds to its row; PostgreSQL's default would compress it (pglz) each time,
-- which costs more than the rest of the write. EXTERNAL keeps it out of line, uncompressed.
ALTER TABLE {schema}.request_rollups ALTER COLUMN latency SET STORAGE EXTERNAL;

CREATE TABLE {schema}.error_rollups (
    granularity    smallint NOT NULL,
    bucket_start   bigint   NOT NULL,
    route          text     NOT NULL,
    method         text     NOT NULL,
    status         integer  NOT NULL,
    exception_type text     NOT NULL,
    environment    text     NOT NULL,
    instance       text     NOT NULL,
    count          bigint   NOT NULL,
    first_seen     bigint   NOT NULL,
    last_seen      bigint   NOT NULL,
    last_message   text,
    PRIMARY KEY (granularity, bucket_start, route, method, status, exception_type, environment, instance)
);

CREATE TABLE {schema}.event_rollups (
    granularity  smallint NOT NULL,
    bucket_start bigint   NOT NULL,
    name         text     NOT NULL,
    environment  text     NOT NULL,
    instance     text     NOT NULL,
    count        bigint   NOT NULL,
    successes    bigint   NOT NULL,
    failures     bigint   NOT NULL,
    duration     bytea,                    -- NULL until an event of the bucket carries a duration
    PRIMARY KEY (granularity, bucket_start, name, environment, instance)
);

ALTER TABLE {schema}.event_rollups ALTER COLUMN duration SET STORAGE EXTERNAL;

CREATE TABLE {schema}.webhook_subscriptions (
    id              text     NOT NULL PRIMARY KEY,
    url             text     NOT NULL,
    event_types     text[]   NOT NULL,
    event_names     text[]   NOT NULL,
    enabled         boolean  NOT NULL,
    disabled_reason text,
    secrets         text[]   NOT NULL,
    source          integer  NOT NULL,     -- 0 api, 1 options
    created_at      bigint   NOT NULL
);

-- state: 0 pending, 1 delivered, 2 failed. A claimed message has next_attempt_at moved to the end of its lease; claims
-- use FOR UPDATE SKIP LOCKED, so two dispatchers never take the same message.
CREATE TABLE {schema}.webhook_outbox (
    id              text     NOT NULL PRIMARY KEY,
    subscription_id text     NOT NULL,
    event_type      text     NOT NULL,
    payload         bytea    NOT NULL,
    created_at      bigint   NOT NULL,
    next_attempt_at bigint   NOT NULL,
    attempts        integer  NOT NULL,
    deliveries      integer  NOT NULL,
    state           integer  NOT NULL
);

CREATE INDEX ix_webhook_outbox_due ON {schema}.webhook_outbox (next_attempt_at) WHERE state = 0;
CREATE INDEX ix_webhook_outbox_created ON {schema}.webhook_outbox (created_at) WHERE state <> 0;

CREATE TABLE {schema}.webhook_attempts (
    id              bigint   GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id      text     NOT NULL,
    subscription_id text     NOT NULL,
    event_type      text     NOT NULL,
    attempt         integer  NOT NULL,
    ts              bigint   NOT NULL,
    duration_us     bigint   NOT NULL,
    status          integer,
    response        text,
    error           text
);

CREATE INDEX ix_webhook_attempts_subscription ON {schema}.webhook_attempts (subscription_id, id);
CREATE INDEX ix_webhook_attempts_ts ON {schema}.webhook_attempts (ts);

CREATE TABLE {schema}.alert_rules (
    id                text             NOT NULL PRIMARY KEY,
    name              text             NOT NULL,
    metric            integer          NOT NULL,
    route             text,
    method            text,
    event_name        text,
    window_us         bigint           NOT NULL,
    operator          integer          NOT NULL,
    threshold         double precision NOT NULL,
    enabled           boolean          NOT NULL,
    source            integer          NOT NULL,
    firing            boolean          NOT NULL,
    firing_changed_at bigint,
    last_value        double precision
);

CREATE TABLE {schema}.alert_history (
    id           bigint           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule_id      text             NOT NULL,
    name         text             NOT NULL,
    metric       integer          NOT NULL,
    route        text,
    method       text,
    event_name   text,
    window_us    bigint           NOT NULL,
    operator     integer          NOT NULL,
    threshold    double precision NOT NULL,
    triggered    boolean          NOT NULL,
    value        double precision NOT NULL,
    window_start bigint           NOT NULL,
    window_end   bigint           NOT NULL,
    ts           bigint           NOT NULL
);

CREATE INDEX ix_alert_history_rule ON {schema}.alert_history (rule_id, id);
