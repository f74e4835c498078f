-- Every attempt of a delivery (issue 11: the message detail page shows "each attempt"), where
-- deliveries keeps only the count and the latest reply. Written in the same batch as the
-- deliveries UPDATE of store/deliveries.ts recordAttempts, and deleted with the delivery rows
-- by the retention sweep (store/delivery-sweeps.ts deleteDeliveriesByBodies).
CREATE TABLE delivery_attempts (
  delivery_id TEXT NOT NULL,             -- deliveries.id
  attempt INTEGER NOT NULL,              -- 1 for the first attempt (deliveries.attempts after it)
  at INTEGER NOT NULL,                   -- ms epoch the outcome was recorded
  status TEXT NOT NULL,                  -- the outcome: sent | deferred | relay-error | bounced
  reply TEXT,                            -- SMTP reply (or provider answer mapped to one)
  enhanced_code TEXT,                    -- RFC 3463 enhanced status code in the reply, if any
  relay TEXT,                            -- name of the relay tried
  PRIMARY KEY (delivery_id, attempt)
);
