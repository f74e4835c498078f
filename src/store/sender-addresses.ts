/**
 * May this user send as this address? Only as
 * - an enabled alias they own (exact, or a subaddress of it, RFC 5233), or
 * - a mailing list of which they are an active owner, through one of their mailboxes or of the
 *   aliases they own (list announcements from the list address).
 * Anything else is refused: Facteur is not an open relay for strangers, and a user cannot borrow
 * another user's address.
 */
import { lookupKey, splitSubaddress } from "../mail/address";

export async function userOwnsAddress(db: D1Database, userName: string, address: string): Promise<boolean> {
  const at = address.lastIndexOf("@");
  const { base } = splitSubaddress(address.slice(0, at));
  const baseKey = lookupKey(`${base}${address.slice(at)}`);
  const row = await db
    .prepare(
      `SELECT 1 AS owned FROM aliases
         WHERE lookup IN (?1, ?2) AND owner = ?3 AND enabled = 1 AND is_pattern = 0
       UNION ALL
       SELECT 1 FROM lists l JOIN list_members m ON m.list_address = l.address
         WHERE l.lookup = ?1 AND l.enabled = 1 AND m.role = 'owner' AND m.status = 'active'
           AND (m.lookup IN (SELECT lower(address) FROM user_mailboxes WHERE user_name = ?3)
                OR m.lookup IN (SELECT lookup FROM aliases WHERE owner = ?3))
       LIMIT 1`,
    )
    .bind(lookupKey(address), baseKey, userName)
    .first();
  return row !== null;
}
