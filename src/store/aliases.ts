/** Writing aliases: the derived matching columns (lookup, glob, literal length) live here only. */
import { lookupKey } from "../mail/address";
import { aliasGlob } from "./routing";

export interface NewAlias {
  /** Normalised local@domain; the local part may contain '*' for a wildcard pattern. */
  address: string;
  domain: string;
  /** null: the owner's mailboxes are the destinations (the PTT/Elit users database idea). */
  destinations: string[] | null;
  owner?: string | null;
  enabled?: boolean;
  description?: string | null;
}

export function aliasColumns(address: string) {
  const local = address.slice(0, address.lastIndexOf("@"));
  const lookup = lookupKey(address);
  const isPattern = local.includes("*");
  return {
    local,
    lookup,
    isPattern,
    glob: isPattern ? aliasGlob(lookup) : null,
    // "Longest literal match wins" among patterns: count what is not a wildcard.
    literalLength: local.replace(/\*/g, "").length,
  };
}

export function insertAlias(db: D1Database, alias: NewAlias, now = Date.now()): D1PreparedStatement {
  const c = aliasColumns(alias.address);
  return db
    .prepare(
      `INSERT INTO aliases (address, lookup, domain, local_part, is_pattern, glob, literal_length, destinations, owner,
                            enabled, description, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)`,
    )
    .bind(
      alias.address,
      c.lookup,
      alias.domain,
      c.local,
      c.isPattern ? 1 : 0,
      c.glob,
      c.literalLength,
      alias.destinations === null ? null : JSON.stringify(alias.destinations),
      alias.owner ?? null,
      alias.enabled === false ? 0 : 1,
      alias.description ?? null,
      now,
    );
}
