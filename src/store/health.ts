/** The database liveness probe behind GET /healthz. */

/** Resolves when D1 answers a trivial query; rejects when it does not. */
export async function pingDatabase(db: D1Database): Promise<void> {
  await db.prepare("SELECT 1").first();
}
