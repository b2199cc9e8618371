-- Issue 26: raw rows committed ahead of their rollups (IRawAheadStore). Under a rate that fills a batch of raw rows
-- before its flush interval ends, the writer commits the raw rows on their own and their rollups once, later. At most one
-- row: the last request and event ids that were folded into committed rollups when the first raw-ahead batch since the
-- last catch-up committed. The batch that catches up removes it; one left here names the rows a stop left without rollups.
CREATE TABLE raw_ahead (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    requests_after  INTEGER NOT NULL,
    events_after    INTEGER NOT NULL
);
