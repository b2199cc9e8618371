-- Version 7: the request counts per bucket and status code, readable from an index alone.
-- The heatmap (a week of hours summed per bucket) and the status-code breakdown read only these columns; through the
-- unique index each row was a lookup into the table, whose rows carry the sketches: 6-7 ms for a week of hours on the
-- 10-million-request benchmark database, 1 ms from this index. It costs an index entry per rollup row (about 1 % of
-- the file) and one index update per upserted row.

CREATE INDEX IF NOT EXISTS ix_request_rollups_counts ON request_rollups (granularity, bucket_start, status, count);
