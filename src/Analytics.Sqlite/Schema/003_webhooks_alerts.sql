-- Version 3: webhook subscriptions, the webhook outbox and its deliveries log; alert rules and their history.
-- Times are Unix microseconds (UTC). Lists (event types, event names, secrets) are stored one item per line: none of
-- their items may hold a control character.

CREATE TABLE webhook_subscriptions (
    id              TEXT    NOT NULL PRIMARY KEY,
    url             TEXT    NOT NULL,
    event_types     TEXT    NOT NULL,
    event_names     TEXT    NOT NULL,
    enabled         INTEGER NOT NULL,
    disabled_reason TEXT,
    secrets         TEXT    NOT NULL,
    source          INTEGER NOT NULL,  -- 0 api, 1 options
    created_at      INTEGER NOT NULL
);

-- One row per message per subscription, written in the transaction of the batch (or alert change) that produced it.
-- state: 0 pending, 1 delivered, 2 failed. A claimed message has next_attempt_at moved to the end of its lease.
CREATE TABLE webhook_outbox (
    id              TEXT    NOT NULL PRIMARY KEY,
    subscription_id TEXT    NOT NULL,
    event_type      TEXT    NOT NULL,
    payload         BLOB    NOT NULL,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    attempts        INTEGER NOT NULL,
    deliveries      INTEGER NOT NULL,
    state           INTEGER NOT NULL
);

-- The dispatcher's one question is "which pending messages are due": a partial index holds only those.
CREATE INDEX ix_webhook_outbox_due ON webhook_outbox (next_attempt_at) WHERE state = 0;
CREATE INDEX ix_webhook_outbox_created ON webhook_outbox (created_at) WHERE state <> 0;

CREATE TABLE webhook_attempts (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT    NOT NULL,
    subscription_id TEXT    NOT NULL,
    event_type      TEXT    NOT NULL,
    attempt         INTEGER NOT NULL,
    ts              INTEGER NOT NULL,
    duration_us     INTEGER NOT NULL,
    status          INTEGER,
    response        TEXT,
    error           TEXT
);

CREATE INDEX ix_webhook_attempts_subscription ON webhook_attempts (subscription_id, id);
CREATE INDEX ix_webhook_attempts_ts ON webhook_attempts (ts);

CREATE TABLE alert_rules (
    id                TEXT    NOT NULL PRIMARY KEY,
    name              TEXT    NOT NULL,
    metric            INTEGER NOT NULL,
    route             TEXT,
    method            TEXT,
    event_name        TEXT,
    window_us         INTEGER NOT NULL,
    operator          INTEGER NOT NULL,
    threshold         REAL    NOT NULL,
    enabled           INTEGER NOT NULL,
    source            INTEGER NOT NULL,
    firing            INTEGER NOT NULL,
    firing_changed_at INTEGER,
    last_value        REAL
);

-- Each change keeps the rule as it was evaluated, so history reads true after the rule is edited or deleted.
CREATE TABLE alert_history (
    id           INTEGER PRIMARY KEY,
    rule_id      TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    metric       INTEGER NOT NULL,
    route        TEXT,
    method       TEXT,
    event_name   TEXT,
    window_us    INTEGER NOT NULL,
    operator     INTEGER NOT NULL,
    threshold    REAL    NOT NULL,
    triggered    INTEGER NOT NULL,
    value        REAL    NOT NULL,
    window_start INTEGER NOT NULL,
    window_end   INTEGER NOT NULL,
    ts           INTEGER NOT NULL
);

CREATE INDEX ix_alert_history_rule ON alert_history (rule_id, id);
