-- Version 7: the batches already written, by AnalyticsBatch.Id. The writer retries a batch whose write threw, and
-- against a server that throw can come after the COMMIT took effect: the connection breaks (a server restart, a
-- network fault) between the commit and its acknowledgement. Each batch's transaction first inserts its id here; a
-- retry of a batch that did commit finds the id and writes nothing, so nothing is counted twice. Kept one day longer
-- than the raw rows (the writer gives a batch up after about four minutes of retries), purged with them.
-- (Version 6 is left to the webhooks change that was planned beside this one.)

CREATE TABLE {schema}.written_batches (
    id uuid   NOT NULL PRIMARY KEY,
    ts bigint NOT NULL
);
