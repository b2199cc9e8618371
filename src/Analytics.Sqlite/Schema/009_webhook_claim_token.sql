-- Version 9: the claim token fences webhook completions. Every claim adds 1 to it; a completion applies only while the
-- row still has the token its claim handed out, so a dispatcher that was paused past its lease (a GC pause, a frozen VM)
-- cannot overwrite the outcome of the dispatcher that claimed the message after it, nor log its attempts twice.
-- Rows written before this version start at 0, the token of a message never claimed, so they complete as before.

ALTER TABLE webhook_outbox ADD COLUMN claim_token INTEGER NOT NULL DEFAULT 0;
