/**
 * Where one recipient's delivery stands (the deliveries table's `status`). Shared vocabulary: the
 * store writes it, the runners move it on, the API filters by it.
 */
export type DeliveryStatus = "queued" | "deferred" | "relay-error" | "sent" | "bounced" | "failed";

/**
 * relay-error: the relay refused because of its own account or configuration (authentication,
 * quota, an unverified sender, no relay configured). An operator alert, retried like deferred
 * until the give-up horizon; never scored against a list member, who did nothing wrong.
 */
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = [
  "queued",
  "deferred",
  "relay-error",
  "sent",
  "bounced",
  "failed",
];

/** A row in a final state is never sent again (Queues delivers at least once). */
export const FINAL_STATUSES: ReadonlySet<DeliveryStatus> = new Set(["sent", "bounced", "failed"]);
