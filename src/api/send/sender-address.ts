/**
 * May this user send as this address? Only as an alias they own (exact, or a subaddress of it,
 * RFC 5233) that is enabled. Anything else is refused: Facteur is not an open relay for
 * strangers, and a user cannot borrow another user's address.
 */
import { lookupKey, splitSubaddress } from "../../address";

export async function userOwnsAddress(db: D1Database, userName: string, address: string): Promise<boolean> {
  const at = address.lastIndexOf("@");
  const { base } = splitSubaddress(address.slice(0, at));
  const baseKey = lookupKey(`${base}${address.slice(at)}`);
  const row = await db
    .prepare(
      `SELECT 1 AS owned FROM aliases
       WHERE lookup IN (?1, ?2) AND owner = ?3 AND enabled = 1 AND is_pattern = 0 LIMIT 1`,
    )
    .bind(lookupKey(address), baseKey, userName)
    .first();
  return row !== null;
}
