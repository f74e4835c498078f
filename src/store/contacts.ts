/**
 * The `contacts` table: the external correspondents of an alias and their reverse addresses
 * (migrations/0016). A contact is created on the first message from a correspondent to an alias
 * with reverse aliases on, or through the API so the owner can write first.
 */
import { type Page, type PageRequest, pageOf } from "./pagination";

export interface Contact {
  id: string;
  /** Lookup key of the alias. */
  alias: string;
  domain: string;
  /** The correspondent, lower-cased. */
  address: string;
  /** Lower-case local part of the reverse address on `domain`. */
  reverseLocal: string;
  blocked: boolean;
  createdAt: number;
  lastSeenAt: number | null;
}

interface ContactRow {
  id: string;
  alias: string;
  domain: string;
  address: string;
  reverse_local: string;
  blocked: number;
  created_at: number;
  last_seen_at: number | null;
}

function rowToContact(row: ContactRow): Contact {
  return {
    id: row.id,
    alias: row.alias,
    domain: row.domain,
    address: row.address,
    reverseLocal: row.reverse_local,
    blocked: row.blocked === 1,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
  };
}

export function reverseAddressOf(contact: Pick<Contact, "reverseLocal" | "domain">): string {
  return `${contact.reverseLocal}@${contact.domain}`;
}

export interface NewContact {
  id: string;
  alias: string;
  domain: string;
  address: string;
  reverseLocal: string;
  blocked?: boolean;
}

/**
 * The contact for (alias, address), created with the given id and reverse local part when there
 * is none. One statement: two messages from the same correspondent arriving together get one row
 * (the UPSERT's no-op update makes RETURNING give the existing row).
 */
export async function ensureContact(db: D1Database, contact: NewContact, now: number): Promise<Contact> {
  const row = await db
    .prepare(
      `INSERT INTO contacts (id, alias, domain, address, reverse_local, blocked, created_at, last_seen_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
       ON CONFLICT (alias, address) DO UPDATE SET last_seen_at = ?7
       RETURNING *`,
    )
    .bind(
      contact.id,
      contact.alias,
      contact.domain,
      contact.address.toLowerCase(),
      contact.reverseLocal.toLowerCase(),
      contact.blocked ? 1 : 0,
      now,
    )
    .first<ContactRow>();
  if (!row) throw new Error(`contact upsert for ${contact.alias} returned no row`);
  return rowToContact(row);
}

export async function findContactById(db: D1Database, id: string): Promise<Contact | null> {
  const row = await db.prepare("SELECT * FROM contacts WHERE id = ?1").bind(id).first<ContactRow>();
  return row ? rowToContact(row) : null;
}

export async function findContactByAddress(db: D1Database, alias: string, address: string): Promise<Contact | null> {
  const row = await db
    .prepare("SELECT * FROM contacts WHERE alias = ?1 AND address = ?2")
    .bind(alias, address.toLowerCase())
    .first<ContactRow>();
  return row ? rowToContact(row) : null;
}

/** Contacts of one alias, by id (creation order). */
export async function listContacts(db: D1Database, alias: string, request: PageRequest): Promise<Page<Contact>> {
  const { results } = await db
    .prepare("SELECT * FROM contacts WHERE alias = ?1 AND (?2 IS NULL OR id > ?2) ORDER BY id LIMIT ?3")
    .bind(alias, request.after ?? null, request.limit + 1)
    .all<ContactRow>();
  return pageOf(results.map(rowToContact), request.limit, (contact) => contact.id);
}

/** Blocks or unblocks a contact of `alias`; the row as changed, or null when there is none. */
export async function updateContactBlocked(
  db: D1Database,
  alias: string,
  id: string,
  blocked: boolean,
): Promise<Contact | null> {
  const row = await db
    .prepare("UPDATE contacts SET blocked = ?3 WHERE alias = ?1 AND id = ?2 RETURNING *")
    .bind(alias, id, blocked ? 1 : 0)
    .first<ContactRow>();
  return row ? rowToContact(row) : null;
}

/** "Block this sender": the contact for (alias, address) blocked, created if needed. */
export async function blockContact(db: D1Database, contact: NewContact, now: number): Promise<Contact> {
  const row = await db
    .prepare(
      `INSERT INTO contacts (id, alias, domain, address, reverse_local, blocked, created_at)
       VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)
       ON CONFLICT (alias, address) DO UPDATE SET blocked = 1
       RETURNING *`,
    )
    .bind(contact.id, contact.alias, contact.domain, contact.address.toLowerCase(), contact.reverseLocal, now)
    .first<ContactRow>();
  if (!row) throw new Error(`contact block for ${contact.alias} returned no row`);
  return rowToContact(row);
}
