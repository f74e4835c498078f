/**
 * One importer per kind of entry. Each compares the entry with what is stored and answers
 * "created", "updated" or "unchanged", which is what makes a second import of the same file a
 * no-op. An importer throws EntryError for an entry it cannot take; the import goes on.
 */
import type { z } from "@hono/zod-openapi";
import { secretsEqual } from "../../credentials/constant-time";
import { hashPassword, verifyPassword } from "../../credentials/password";
import { passwordImportFingerprint } from "../../credentials/password-import";
import { parseRelayUrl } from "../../deliver/relays/relay-url";
import { domainOf, parseAddress } from "../../mail/address";
import { findAliasByAddress, insertAlias, updateAlias } from "../../store/aliases";
import { findDestination, upsertDestination } from "../../store/destinations";
import { findDomainByName, insertDomain, updateDomain } from "../../store/domains";
import {
  findPasswordImportFingerprint,
  upsertPasswordImportFingerprint,
} from "../../store/password-import-fingerprints";
import { findUserByName, insertUser, updateUser, userExists } from "../../store/users";
import type { ExportedAlias, ExportedDestination, ExportedDomain, ExportedUser } from "./routes";

export type Outcome = "created" | "updated" | "unchanged";

export class EntryError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export async function importDomain(db: D1Database, entry: z.output<typeof ExportedDomain>): Promise<Outcome> {
  if (entry.relay_url) {
    try {
      parseRelayUrl(entry.relay_url);
    } catch (error) {
      throw new EntryError("relay_url", (error as Error).message);
    }
  }
  const current = await findDomainByName(db, entry.name);
  if (!current) {
    await insertDomain(db, {
      name: entry.name,
      enabled: entry.enabled,
      catchAll: entry.catch_all,
      relayUrl: entry.relay_url ?? null,
    }).run();
    return "created";
  }
  const relayChanged = entry.relay_url !== undefined && entry.relay_url !== current.relayUrl;
  if (current.enabled === entry.enabled && same(current.catchAll, entry.catch_all) && !relayChanged) {
    return "unchanged";
  }
  await updateDomain(db, entry.name, {
    enabled: entry.enabled,
    catchAll: entry.catch_all,
    ...(entry.relay_url !== undefined ? { relayUrl: entry.relay_url } : {}),
  });
  return "updated";
}

export async function importDestination(db: D1Database, entry: z.output<typeof ExportedDestination>): Promise<Outcome> {
  const current = await findDestination(db, entry.address);
  if (current && current.verified === entry.verified) return "unchanged";
  await upsertDestination(db, entry.address, entry.verified).run();
  return current ? "updated" : "created";
}

/** A PTT entry (clear-text password) or a Facteur one (password or password_hash). */
export async function importUser(
  env: Pick<Env, "DB" | "KEY_ENCRYPTION_KEY">,
  entry: z.output<typeof ExportedUser>,
): Promise<Outcome> {
  const db = env.DB;
  const current = await findUserByName(db, entry.name);
  const remember = async (passwordHash: string | null) =>
    passwordHash && entry.password !== undefined
      ? [
          upsertPasswordImportFingerprint(
            db,
            entry.name,
            await passwordImportFingerprint(env.KEY_ENCRYPTION_KEY, {
              name: entry.name,
              passwordHash,
              password: entry.password,
            }),
          ),
        ]
      : [];
  if (!current) {
    const passwordHash = entry.password_hash ?? (entry.password ? await hashPassword(entry.password) : null);
    await db.batch([
      ...insertUser(db, { name: entry.name, passwordHash, isAdmin: entry.is_admin, mailboxes: entry.mailboxes }),
      ...(entry.password_hash === undefined ? await remember(passwordHash) : []),
    ]);
    return "created";
  }
  let passwordHash: string | undefined;
  let fingerprint: D1PreparedStatement[] = [];
  if (entry.password_hash !== undefined && entry.password_hash !== current.passwordHash)
    passwordHash = entry.password_hash;
  else if (entry.password !== undefined) {
    // The stored hash has a random salt: compare by verifying, never by re-hashing. The
    // fingerprint of the last import (credentials/password-import.ts) spares that PBKDF2 run.
    const stored = await findPasswordImportFingerprint(db, entry.name);
    const unchanged = stored !== null && (await sameFingerprint(env, entry, current.passwordHash, stored));
    if (!unchanged) {
      if (!(await verifyPassword(entry.password, current.passwordHash)))
        passwordHash = await hashPassword(entry.password);
      fingerprint = await remember(passwordHash ?? current.passwordHash);
    }
  }
  const mailboxesChanged = !same(current.mailboxes, entry.mailboxes);
  const adminChanged = current.isAdmin !== entry.is_admin;
  if (passwordHash === undefined && !mailboxesChanged && !adminChanged) {
    if (fingerprint.length) await db.batch(fingerprint);
    return "unchanged";
  }
  await db.batch([
    ...updateUser(db, entry.name, {
      passwordHash,
      isAdmin: adminChanged ? entry.is_admin : undefined,
      mailboxes: mailboxesChanged ? entry.mailboxes : undefined,
    }),
    ...fingerprint,
  ]);
  return "updated";
}

async function sameFingerprint(
  env: Pick<Env, "KEY_ENCRYPTION_KEY">,
  entry: { name: string; password?: string },
  passwordHash: string | null,
  stored: string,
): Promise<boolean> {
  if (!passwordHash || entry.password === undefined) return false;
  const expected = await passwordImportFingerprint(env.KEY_ENCRYPTION_KEY, {
    name: entry.name,
    passwordHash,
    password: entry.password,
  });
  return secretsEqual(expected, stored);
}

export async function importAlias(db: D1Database, entry: z.output<typeof ExportedAlias>): Promise<Outcome> {
  if (entry.destinations === null && entry.owner === null) {
    throw new EntryError("destinations", "give destinations, or an owner whose mailboxes receive the mail");
  }
  if (entry.owner && !(await userExists(db, entry.owner)))
    throw new EntryError("owner", `no user named ${entry.owner}`);
  const current = await findAliasByAddress(db, entry.address);
  if (!current) {
    const domain = domainOf(entry.address);
    if (!(await findDomainByName(db, domain))) throw new EntryError("address", `Facteur does not serve ${domain}`);
    await insertAlias(db, {
      address: entry.address,
      domain,
      destinations: entry.destinations,
      owner: entry.owner,
      enabled: entry.enabled,
      description: entry.description,
    }).run();
    return "created";
  }
  if (
    same(current.destinations, entry.destinations) &&
    current.owner === entry.owner &&
    current.enabled === entry.enabled &&
    current.description === entry.description
  ) {
    return "unchanged";
  }
  await updateAlias(db, entry.address, entry);
  return "updated";
}

/** The PTT idea: user `din` receives mail at din@<domain>, delivered to their mailboxes. */
export async function importUserAddress(db: D1Database, userName: string, domain: string): Promise<Outcome> {
  const parsed = parseAddress(`${userName}@${domain}`);
  if (!parsed) throw new EntryError("name", `${userName}@${domain} is not a valid address`);
  const current = await findAliasByAddress(db, parsed.address);
  if (current) {
    if (current.owner !== userName) {
      throw new EntryError("name", `${parsed.address} already exists and belongs to ${current.owner ?? "nobody"}`);
    }
    return "unchanged";
  }
  await insertAlias(db, { address: parsed.address, domain, destinations: null, owner: userName }).run();
  return "created";
}
