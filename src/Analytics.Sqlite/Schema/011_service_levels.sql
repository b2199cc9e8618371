-- Version 11: service levels, uptime and alert formats (issue 25).
-- An alert rule may measure an SLO's burn rate (slo: the SLO's name) or a health check's open incidents (check: the
-- check's name, NULL for any check); rows written before this version have neither.
-- A webhook subscription has a body format: 0 standardWebhooks (signed, the only one before this version), 1 slack,
-- 2 teams, 3 discord.
-- Health-check samples: each entry of each report the host's health-check publisher produced, per instance. Uptime and
-- incidents are computed from them when read; they are purged with the hour rollups.

ALTER TABLE alert_rules ADD COLUMN slo TEXT;
ALTER TABLE alert_rules ADD COLUMN check_name TEXT;

ALTER TABLE webhook_subscriptions ADD COLUMN format INTEGER NOT NULL DEFAULT 0;

CREATE TABLE health_check_samples (
    ts          INTEGER NOT NULL,  -- microseconds since the Unix epoch, UTC
    instance    TEXT    NOT NULL,
    check_name  TEXT    NOT NULL,
    status      INTEGER NOT NULL,  -- 0 unhealthy, 1 degraded, 2 healthy (HealthStatus's values)
    duration_us INTEGER NOT NULL,
    description TEXT
);

CREATE INDEX ix_health_check_samples_ts ON health_check_samples (ts);
