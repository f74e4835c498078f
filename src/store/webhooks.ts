/**
 * The `webhooks` table: where accepted mail of an alias, or of every alias of a domain, is POSTed.
 * The secret is stored sealed (credentials/ seals and opens it); this module never sees it clear.
 */

export interface Webhook {
  id: string;
  domain: string;
  /** Lookup key of one alias; null: every alias of the domain. */
  alias: string | null;
  url: string;
  sealedSecret: string;
  enabled: boolean;
  disabledReason: string | null;
  createdAt: number;
  updatedAt: number;
}

interface WebhookRow {
  id: string;
  domain: string;
  alias: string | null;
  url: string;
  secret: string;
  enabled: number;
  disabled_reason: string | null;
  created_at: number;
  updated_at: number;
}

function rowToWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    domain: row.domain,
    alias: row.alias,
    url: row.url,
    sealedSecret: row.secret,
    enabled: row.enabled === 1,
    disabledReason: row.disabled_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface NewWebhook {
  id: string;
  domain: string;
  alias: string | null;
  url: string;
  sealedSecret: string;
}

export function insertWebhook(db: D1Database, hook: NewWebhook, now = Date.now()): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO webhooks (id, domain, alias, url, secret, enabled, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?6)`,
    )
    .bind(hook.id, hook.domain, hook.alias, hook.url, hook.sealedSecret, now);
}

export async function findWebhook(db: D1Database, id: string): Promise<Webhook | null> {
  const row = await db.prepare("SELECT * FROM webhooks WHERE id = ?1").bind(id).first<WebhookRow>();
  return row ? rowToWebhook(row) : null;
}

/** Enabled webhooks for a message accepted for `aliasLookup` on `domain`: the alias's and the domain's. */
export async function listWebhooksForAlias(db: D1Database, domain: string, aliasLookup: string): Promise<Webhook[]> {
  const { results } = await db
    .prepare("SELECT * FROM webhooks WHERE domain = ?1 AND enabled = 1 AND (alias IS NULL OR alias = ?2) ORDER BY id")
    .bind(domain, aliasLookup)
    .all<WebhookRow>();
  return results.map(rowToWebhook);
}

/** Every webhook, or those of the given domains (a domain-scoped token). */
export async function listWebhooks(db: D1Database, domains: string[] | null): Promise<Webhook[]> {
  const { results } = await db
    .prepare(
      `SELECT * FROM webhooks WHERE (?1 IS NULL OR domain IN (SELECT value FROM json_each(?1)))
       ORDER BY domain, id LIMIT 500`,
    )
    .bind(domains ? JSON.stringify(domains) : null)
    .all<WebhookRow>();
  return results.map(rowToWebhook);
}

/** Turns a webhook on (clearing the reason) or off with a reason. */
export function setWebhookEnabled(
  db: D1Database,
  id: string,
  enabled: boolean,
  reason: string | null,
  now = Date.now(),
): D1PreparedStatement {
  return db
    .prepare("UPDATE webhooks SET enabled = ?2, disabled_reason = ?3, updated_at = ?4 WHERE id = ?1")
    .bind(id, enabled ? 1 : 0, enabled ? null : reason, now);
}

export function updateWebhookUrl(db: D1Database, id: string, url: string, now = Date.now()): D1PreparedStatement {
  return db.prepare("UPDATE webhooks SET url = ?2, updated_at = ?3 WHERE id = ?1").bind(id, url, now);
}

export async function deleteWebhook(db: D1Database, id: string): Promise<boolean> {
  const result = await db.prepare("DELETE FROM webhooks WHERE id = ?1").bind(id).run();
  return (result.meta.changes ?? 0) > 0;
}
