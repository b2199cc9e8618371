-- Version 9 (issue 25): service levels, uptime and alert formats.
-- An alert rule may measure an SLO's burn rate (slo: the SLO's name) or a health check's open incidents (check_name: the
-- check's name, NULL for any check); rows written before this version have neither.
-- A webhook subscription has a body format: 0 standardWebhooks (signed, the only one before this version), 1 slack,
-- 2 teams, 3 discord. A constant default rewrites no rows.
-- Health-check samples: each entry of each report the host's health-check publisher produced, per instance. Uptime and
-- incidents are computed from them when read; they are purged with the hour rollups.

ALTER TABLE {schema}.alert_rules ADD COLUMN slo text, ADD COLUMN check_name text;

ALTER TABLE {schema}.webhook_subscriptions ADD COLUMN format integer NOT NULL DEFAULT 0;

CREATE TABLE {schema}.health_check_samples (
    ts          bigint   NOT NULL,  -- microseconds since the Unix epoch, UTC
    instance    text     NOT NULL,
    check_name  text     NOT NULL,
    status      smallint NOT NULL,  -- 0 unhealthy, 1 degraded, 2 healthy (HealthStatus's values)
    duration_us bigint   NOT NULL,
    description text
);

CREATE INDEX ix_health_check_samples_ts ON {schema}.health_check_samples (ts);
