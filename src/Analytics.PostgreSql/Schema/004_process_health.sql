-- Version 4: process-health rollups: per granularity, bucket, instance and metric, the samples' count, sum, min and max.

CREATE TABLE {schema}.health_rollups (
    granularity  smallint         NOT NULL,
    bucket_start bigint           NOT NULL,
    instance     text             NOT NULL,
    metric       text             NOT NULL,
    count        bigint           NOT NULL,
    sum          double precision NOT NULL,
    min          double precision NOT NULL,
    max          double precision NOT NULL,
    PRIMARY KEY (granularity, bucket_start, instance, metric)
);
