/**
 * `user_mailboxes`: a user's real addresses, in order (the first is where their aliases deliver
 * first). Written with one json_each statement whatever their number (D1's 100 bound parameters
 * per query).
 */

/** Replaces the user's mailboxes: two statements, to run in the same batch as the user's row. */
export function replaceMailboxes(db: D1Database, userName: string, mailboxes: string[]): D1PreparedStatement[] {
  return [
    db.prepare("DELETE FROM user_mailboxes WHERE user_name = ?1").bind(userName),
    db
      .prepare(
        `INSERT OR IGNORE INTO user_mailboxes (user_name, address, position)
         SELECT ?1, value, key FROM json_each(?2)`,
      )
      .bind(userName, JSON.stringify(mailboxes)),
  ];
}
