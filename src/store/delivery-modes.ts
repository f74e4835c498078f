/** list_members.delivery_mode: how a member receives the list's posts. */

export const DELIVERY_MODES = ["each", "digest_daily", "digest_weekly", "nomail"] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

export async function findDeliveryMode(
  db: D1Database,
  listAddress: string,
  address: string,
): Promise<DeliveryMode | null> {
  const row = await db
    .prepare("SELECT delivery_mode FROM list_members WHERE list_address = ? AND lookup = lower(?)")
    .bind(listAddress, address)
    .first<{ delivery_mode: DeliveryMode }>();
  return row?.delivery_mode ?? null;
}

/** False when the address is not a member of the list. */
export async function updateDeliveryMode(
  db: D1Database,
  listAddress: string,
  address: string,
  mode: DeliveryMode,
  now = Date.now(),
): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE list_members SET delivery_mode = ?3, updated_at = CASE WHEN delivery_mode = ?3 THEN updated_at ELSE ?4 END
        WHERE list_address = ?1 AND lookup = lower(?2)`,
    )
    .bind(listAddress, address, mode, now)
    .run();
  return result.meta.changes > 0;
}
