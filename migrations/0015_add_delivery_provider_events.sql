-- Email Sending's lifecycle events (queue facteur-sending-events, src/sending-events/) name a sent
-- message by the id Cloudflare's send_email returned, and arrive after the attempt was recorded,
-- possibly out of order.
ALTER TABLE deliveries ADD COLUMN provider_message_id TEXT; -- the relay's id of the sent copy (send_email's messageId)
ALTER TABLE deliveries ADD COLUMN provider_status TEXT;     -- last event: delivered | deferred | bounced | failed | rejected | complained
ALTER TABLE deliveries ADD COLUMN provider_event_at INTEGER; -- ms epoch of that event (metadata.eventTimestamp): older ones are ignored
CREATE INDEX deliveries_provider_message ON deliveries(provider_message_id, rcpt) WHERE provider_message_id IS NOT NULL;
