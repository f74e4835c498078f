-- Issue 10 item 9: a row records when its job reached DELIVERY_QUEUE (sendBatch succeeded). The
-- orphan sweep re-queues only rows whose job never got there; rows already in the queue are left
-- to the consumer however long a backlog or an outage lasts. Rows that exist today were queued
-- by code that only wrote them before sending: they count as enqueued.
ALTER TABLE deliveries ADD COLUMN enqueued_at INTEGER;
UPDATE deliveries SET enqueued_at = created_at;
CREATE INDEX deliveries_never_enqueued ON deliveries(created_at) WHERE enqueued_at IS NULL AND status = 'queued';
