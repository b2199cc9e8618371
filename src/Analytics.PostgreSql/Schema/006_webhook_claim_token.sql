-- Version 6: the claim token fences webhook completions. Every claim adds 1 to it; a completion applies only while the
-- row still has the token its claim handed out, so an instance that was paused past its lease (a GC pause, a frozen VM)
-- cannot overwrite the outcome of the instance that claimed the message after it, nor log its attempts twice.
-- Rows written before this version start at 0, the token of a message never claimed, so they complete as before.
-- Adding a column with a constant default rewrites no rows.

ALTER TABLE {schema}.webhook_outbox ADD COLUMN claim_token bigint NOT NULL DEFAULT 0;
