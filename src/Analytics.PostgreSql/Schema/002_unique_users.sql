-- Version 2: distinct users and clients per request rollup, as CardinalitySketch.ToBytes() (HyperLogLog).
-- NULL until a request of the row carried a user id (or a client address); older rows stay NULL and count as none.

ALTER TABLE {schema}.request_rollups ADD COLUMN users bytea, ADD COLUMN clients bytea;
ALTER TABLE {schema}.request_rollups ALTER COLUMN users SET STORAGE EXTERNAL, ALTER COLUMN clients SET STORAGE EXTERNAL;
