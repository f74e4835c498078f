/** scheduled(): the sweeps run on every cron tick, in this order. */
import { expireApiCounters } from "./expire-api-counters";
import { expireAutoReplyCopies } from "./expire-auto-reply-copies";
import { expireDigests } from "./expire-digests";
import { expireFinishedDeliveries } from "./expire-finished-deliveries";
import { expireMessageLog } from "./expire-message-log";
import { expireReports } from "./expire-reports";
import { expireUndeliveredListPosts } from "./expire-undelivered-list-posts";
import { expireWebSessions } from "./expire-web-sessions";
import { expireWebhookDeliveries } from "./expire-webhook-deliveries";
import { failStaleWaiting } from "./fail-stale-waiting-deliveries";
import { listHousekeeping } from "./list-housekeeping";
import { requeueOrphanedDeliveries } from "./requeue-orphaned-deliveries";
import { sendDigestsSweep } from "./send-digests";
import type { Sweep } from "./sweep";
import { syncCloudflare } from "./sync-cloudflare";

export const SWEEPS: readonly Sweep[] = [
  // Moderation queue expiry, confirmation tokens, bounce scoring (lists). Before
  // expire-finished-deliveries: it scores bounced list rows, which that sweep may delete.
  listHousekeeping,
  sendDigestsSweep, // daily and weekly digests due (each post once per digest mode, across retried runs)
  expireDigests, // queued digests and their claimed posts past the retention period (never a claimed one)
  requeueOrphanedDeliveries, // rows whose job never reached the queue: re-queued, never failed
  failStaleWaiting, // deferred rows whose retry is long overdue: the job is gone
  expireMessageLog, // inbound log retention
  expireFinishedDeliveries, // finished delivery rows and the R2 bodies no queued row still needs
  expireApiCounters, // failed-auth throttle and send rate-limit windows that have passed
  expireReports, // DMARC and TLS reports past their domain's retention
  syncCloudflare, // DNS records, destination addresses, Email Routing (when CLOUDFLARE_API_TOKEN is set)
  expireWebhookDeliveries, // finished webhook deliveries and their raw messages
  expireAutoReplyCopies, // auto-reply copies kept in R2
  expireWebSessions, // web sessions that can no longer sign in, expired sign-in links
  expireUndeliveredListPosts, // list post bodies no delivery row names (zero recipients)
];
