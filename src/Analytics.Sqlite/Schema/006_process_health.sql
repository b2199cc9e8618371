-- Version 6: process-health rollups: per granularity, bucket, instance and metric, the samples' count, sum, min and max.

CREATE TABLE health_rollups (
    granularity  INTEGER NOT NULL,
    bucket_start INTEGER NOT NULL,
    instance     TEXT    NOT NULL,
    metric       TEXT    NOT NULL,
    count        INTEGER NOT NULL,
    sum          REAL    NOT NULL,
    min          REAL    NOT NULL,
    max          REAL    NOT NULL
);

CREATE UNIQUE INDEX ux_health_rollups ON health_rollups (granularity, bucket_start, instance, metric);
