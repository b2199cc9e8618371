-- Version 8: the request kind (RequestKind: 0 http, 1 WebSocket, 2 gRPC, 3 Server-Sent Events) joins the request and
-- error rollup keys. A WebSocket or an event stream lasts as long as its client stays, so its duration is a connection's
-- lifetime; keeping kinds in rows of their own lets queries leave those out of latency percentiles and averages while
-- still counting them, and lets a query select one kind. A route nearly always serves one kind, so this adds rows only
-- where a route mixes them (a SignalR hub's transports).
-- Rows written before this version count as http (0), as every request was then. The unique indexes are rebuilt with
-- kind last: reads still range-scan (granularity, bucket_start), and a kind filter is checked on the rows scanned.

ALTER TABLE request_rollups ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;
DROP INDEX ux_request_rollups;
CREATE UNIQUE INDEX ux_request_rollups ON request_rollups (granularity, bucket_start, route, method, status, environment, instance, kind);

ALTER TABLE error_rollups ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;
DROP INDEX ux_error_rollups;
CREATE UNIQUE INDEX ux_error_rollups ON error_rollups (granularity, bucket_start, route, method, status, exception_type, fingerprint, environment, instance, kind);
