/** The `password_import_fingerprints` table (migrations/0013): the importer's cache of checked passwords. */

export async function findPasswordImportFingerprint(db: D1Database, userName: string): Promise<string | null> {
  const row = await db
    .prepare("SELECT fingerprint FROM password_import_fingerprints WHERE user_name = ?1")
    .bind(userName)
    .first<{ fingerprint: string }>();
  return row?.fingerprint ?? null;
}

export function upsertPasswordImportFingerprint(
  db: D1Database,
  userName: string,
  fingerprint: string,
  now = Date.now(),
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO password_import_fingerprints (user_name, fingerprint, updated_at) VALUES (?1, ?2, ?3)
       ON CONFLICT (user_name) DO UPDATE SET fingerprint = excluded.fingerprint, updated_at = excluded.updated_at`,
    )
    .bind(userName, fingerprint, now);
}
