/**
 * Where one recipient's delivery stands (the deliveries table's `status`). Shared vocabulary: the
 * store writes it, the runners move it on, the API filters by it.
 */
export type DeliveryStatus = "queued" | "deferred" | "sent" | "bounced" | "failed";

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ["queued", "deferred", "sent", "bounced", "failed"];

/** A row in a final state is never sent again (Queues delivers at least once). */
export const FINAL_STATUSES: ReadonlySet<DeliveryStatus> = new Set(["sent", "bounced", "failed"]);
