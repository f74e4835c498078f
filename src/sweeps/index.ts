/** scheduled(): the sweeps run on every cron tick, in this order. */
import { expireApiCounters } from "./expire-api-counters";
import { expireAutoReplyCopies } from "./expire-auto-reply-copies";
import { expireFinishedDeliveries } from "./expire-finished-deliveries";
import { expireMessageLog } from "./expire-message-log";
import { expireReports } from "./expire-reports";
import { expireWebhookDeliveries } from "./expire-webhook-deliveries";
import { failOrphanedDeliveries } from "./fail-orphaned-deliveries";
import { listHousekeeping } from "./list-housekeeping";
import type { Sweep } from "./sweep";
import { syncCloudflare } from "./sync-cloudflare";

export const SWEEPS: readonly Sweep[] = [
  // Moderation queue expiry, confirmation tokens, bounce scoring (lists). Before
  // expire-finished-deliveries: it scores bounced list rows, which that sweep may delete.
  listHousekeeping,
  failOrphanedDeliveries, // rows queued by an email() whose queue send failed (the sender retried)
  expireMessageLog, // inbound log retention
  expireFinishedDeliveries, // finished delivery rows and the R2 bodies no queued row still needs
  expireApiCounters, // failed-auth throttle and send rate-limit windows that have passed
  expireReports, // DMARC and TLS reports past their domain's retention
  syncCloudflare, // DNS records, destination addresses, Email Routing (when CLOUDFLARE_API_TOKEN is set)
  expireWebhookDeliveries, // finished webhook deliveries and their raw messages
  expireAutoReplyCopies, // auto-reply copies kept in R2
];
