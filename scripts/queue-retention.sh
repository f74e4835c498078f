#!/usr/bin/env bash
# Sets 14-day message retention (the Queues maximum) on every Facteur queue. Queues' default is
# 4 days, shorter than GIVE_UP_DAYS (5): a job could expire while its recipient is still deferred.
# Run once per account after `wrangler queues create`, and again if a queue is re-created.
# Idempotent. The pinned wrangler's wrangler.toml schema has no retention field, hence this script.
set -euo pipefail
RETENTION_SECS=1209600
for queue in facteur-delivery facteur-fanout facteur-delivery-dlq facteur-fanout-dlq; do
  npx wrangler queues update "$queue" --message-retention-period-secs "$RETENTION_SECS"
done
