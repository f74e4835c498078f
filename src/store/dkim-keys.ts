/**
 * The `dkim_keys` table. The private key is stored encrypted; sealing and opening it is
 * credentials/dkim-keys.ts's business, this module only moves the ciphertext.
 */

export type DkimAlgorithm = "rsa-sha256" | "ed25519-sha256";

export interface DkimKey {
  domain: string;
  selector: string;
  algorithm: DkimAlgorithm;
  /** base64 as published in p= */
  publicKey: string;
  active: boolean;
  createdAt: number;
}

/** A key with its sealed private key (credentials/key-encryption.ts). */
export interface SealedDkimKey extends DkimKey {
  privateKeyEnc: string;
}

interface KeyRow {
  domain: string;
  selector: string;
  algorithm: DkimAlgorithm;
  public_key: string;
  private_key_enc: string;
  active: number;
  created_at: number;
}

function rowToKey(row: KeyRow): DkimKey {
  return {
    domain: row.domain,
    selector: row.selector,
    algorithm: row.algorithm,
    publicKey: row.public_key,
    active: row.active === 1,
    createdAt: row.created_at,
  };
}

/** Inserts an active key; null when the domain already has this selector. */
export async function insertDkimKey(db: D1Database, key: Omit<SealedDkimKey, "active">): Promise<DkimKey | null> {
  const row = await db
    .prepare(
      `INSERT INTO dkim_keys (domain, selector, algorithm, public_key, private_key_enc, active, created_at)
       VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)
       ON CONFLICT (domain, selector) DO NOTHING
       RETURNING *`,
    )
    .bind(key.domain, key.selector, key.algorithm, key.publicKey, key.privateKeyEnc, key.createdAt)
    .first<KeyRow>();
  return row ? rowToKey(row) : null;
}

/** Every key of a domain, newest first. */
export async function listDkimKeys(db: D1Database, domain: string): Promise<DkimKey[]> {
  const { results } = await db
    .prepare("SELECT * FROM dkim_keys WHERE domain = ?1 ORDER BY created_at DESC, rowid DESC")
    .bind(domain)
    .all<KeyRow>();
  return results.map(rowToKey);
}

/** The newest active key of a domain, sealed; null when it has none. */
export async function findSigningDkimKey(db: D1Database, domain: string): Promise<SealedDkimKey | null> {
  const row = await db
    .prepare("SELECT * FROM dkim_keys WHERE domain = ?1 AND active = 1 ORDER BY created_at DESC, rowid DESC LIMIT 1")
    .bind(domain.toLowerCase())
    .first<KeyRow>();
  return row ? { ...rowToKey(row), privateKeyEnc: row.private_key_enc } : null;
}

export async function deleteDkimKey(db: D1Database, domain: string, selector: string): Promise<boolean> {
  const result = await db
    .prepare("DELETE FROM dkim_keys WHERE domain = ?1 AND selector = ?2")
    .bind(domain, selector)
    .run();
  return (result.meta.changes ?? 0) > 0;
}
