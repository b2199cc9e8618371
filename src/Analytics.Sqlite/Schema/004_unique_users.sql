-- Version 4: distinct users and clients per request rollup, as CardinalitySketch.ToBytes() (HyperLogLog).
-- NULL until a request of the row carried a user id (or a client address); older rows stay NULL and count as none.

ALTER TABLE request_rollups ADD COLUMN users BLOB;
ALTER TABLE request_rollups ADD COLUMN clients BLOB;
