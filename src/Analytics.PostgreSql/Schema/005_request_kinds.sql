-- Version 5: the request kind (RequestKind: 0 http, 1 WebSocket, 2 gRPC, 3 Server-Sent Events) joins the request and
-- error rollup keys. A WebSocket or an event stream lasts as long as its client stays, so its duration is a connection's
-- lifetime; keeping kinds in rows of their own lets queries leave those out of latency percentiles and averages while
-- still counting them, and lets a query select one kind. A route nearly always serves one kind, so this adds rows only
-- where a route mixes them (a SignalR hub's transports).
-- Rows written before this version count as http (0), as every request was then. Adding a column with a constant
-- default rewrites no rows; the primary keys are rebuilt with kind last, so reads still range-scan
-- (granularity, bucket_start).

ALTER TABLE {schema}.request_rollups ADD COLUMN kind smallint NOT NULL DEFAULT 0;
ALTER TABLE {schema}.request_rollups DROP CONSTRAINT request_rollups_pkey;
ALTER TABLE {schema}.request_rollups ADD PRIMARY KEY (granularity, bucket_start, route, method, status, environment, instance, kind);

ALTER TABLE {schema}.error_rollups ADD COLUMN kind smallint NOT NULL DEFAULT 0;
ALTER TABLE {schema}.error_rollups DROP CONSTRAINT error_rollups_pkey;
ALTER TABLE {schema}.error_rollups ADD PRIMARY KEY (granularity, bucket_start, route, method, status, exception_type, fingerprint, environment, instance, kind);
