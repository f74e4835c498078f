/**
 * Digest sending, from scheduled(): for each digest mode, every list with posts waiting from
 * before the current period gets the digest of the period that ended (daily: the UTC day,
 * weekly: the ISO week from Monday 00:00 UTC), in as many parts as its size cap takes
 * (digest-cap.ts). Each part is claimed first (store/digests.ts claimDigestPart: the digest row,
 * keyed by list, mode, period and part, and its posts in one D1 transaction), then composed once
 * reading its posts one at a time (compose-digest.ts), stored in R2 once and handed to the list's
 * usual fan-out (lists/fanout.ts), in pages of members of that mode, each copy with its own
 * List-Unsubscribe and DKIM signature (d = list domain, the digest's From).
 *
 * Retries: a run that stops after the claim leaves the digest "claimed"; once its lease has
 * expired, a later run composes the same bytes again (everything is derived from the digest row)
 * and queues it. A page queued
 * twice is harmless: delivery rows are unique per (body, recipient), so nobody gets it twice.
 */
import { newId } from "../../core/ids";
import { log, logError } from "../../core/log";
import { loadSigningKey, type SigningKey } from "../../credentials/dkim-keys";
import { storeDeliveryBody } from "../../deliver/enqueue";
import { relayForDomain } from "../../deliver/relays";
import { rfc5322Date } from "../../mail/date";
import { headerEnd } from "../../mail/header-section";
import { listAddresses } from "../../mail/minted-address";
import { dkimBodyHash } from "../../mailauth";
import {
  claimDigestPart,
  DIGEST_MODES,
  type DigestMode,
  type DigestRow,
  findDigestPosts,
  findListsWithPendingPosts,
  findReleasablePostKeys,
  findUnqueuedDigests,
  leaseDigest,
  markDigestQueued,
} from "../../store/digests";
import { LIST_SETTING_DEFAULTS } from "../../store/list-settings";
import { findListByAddress } from "../../store/lists";
import { MEMBER_SIGNED_FIELDS } from "../../transform/handlers/body-hash";
import { startFanout } from "../fanout";
import { listIdOf } from "../types";
import { assembleDigest } from "./compose-digest";
import { digestBudget, digestCap } from "./digest-cap";

/** Digest parts claimed per run and mode: each reads its posts from R2; the next tick takes the rest. */
export const DIGESTS_PER_RUN = 20;

/** A run holds a digest this long: far above one digest's work, below the 15-minute cron step. */
export const DIGEST_LEASE_MS = 10 * 60_000;

const DAY_MS = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The period that ended last before `now`: its first day (the key) and its end (posts before it). */
export function digestPeriod(mode: DigestMode, now: number): { period: string; before: number } {
  const midnight = Math.floor(now / DAY_MS) * DAY_MS;
  if (mode === "digest_daily") return { period: isoDate(midnight - DAY_MS), before: midnight };
  // getUTCDay: 0 = Sunday; ISO 8601 weeks start on Monday.
  const monday = midnight - ((new Date(midnight).getUTCDay() + 6) % 7) * DAY_MS;
  return { period: isoDate(monday - 7 * DAY_MS), before: monday };
}

export interface DigestDeps {
  loadKey?: (env: Env, domain: string) => Promise<SigningKey | null>;
}

/** Claims the digests due at `now`, then queues every claimed one. Returns how many were queued. */
export async function sendDigests(env: Env, now: number, deps: DigestDeps = {}): Promise<number> {
  for (const mode of DIGEST_MODES) {
    const { period, before } = digestPeriod(mode, now);
    let parts = 0;
    for (const listAddress of await findListsWithPendingPosts(env.DB, mode, before, DIGESTS_PER_RUN)) {
      const budget = digestBudget(await capOf(env, listAddress));
      const part = { listAddress, mode, period, before, now };
      // Part after part until none of the period's posts is left unclaimed.
      while (parts < DIGESTS_PER_RUN && (await claimDigestPart(env.DB, { ...part, id: newId(now) }, budget)) > 0) {
        parts++;
      }
    }
  }
  let queued = 0;
  for (const digest of await findUnqueuedDigests(env.DB, DIGESTS_PER_RUN * DIGEST_MODES.length)) {
    // Overlapping runs (a retried tick) both see it: only the one holding the lease queues it.
    if (!(await leaseDigest(env.DB, digest.id, now, now + DIGEST_LEASE_MS))) continue;
    try {
      await queueDigest(env, digest, now, deps);
      queued++;
    } catch (error) {
      // One digest that cannot be composed (an R2 read failed) must not hold up the others: it
      // stays claimed, and a tick after its lease tries it again.
      logError({ stage: "deliver", unit: "digest", outcome: "failed", messageId: digest.id, error });
    }
  }
  return queued;
}

/** The list's digest cap under its domain's relay limit (a list already deleted: the default). */
async function capOf(env: Env, listAddress: string): Promise<number> {
  const list = await findListByAddress(env.DB, listAddress);
  if (!list) return LIST_SETTING_DEFAULTS.digest_max_bytes;
  let relayMax: number | undefined;
  try {
    relayMax = (await relayForDomain(env, list.domain)).maxMessageBytes;
  } catch {
    relayMax = undefined; // no relay: delivery will defer; the list's own cap still holds
  }
  return digestCap(list.digestMaxBytes, relayMax);
}

async function queueDigest(env: Env, digest: DigestRow, now: number, deps: DigestDeps): Promise<void> {
  const list = await findListByAddress(env.DB, digest.listAddress);
  const rows = list ? await findDigestPosts(env.DB, digest.id) : [];
  if (!list || rows.length === 0) {
    await markDigestQueued(env.DB, digest.id, now);
    return;
  }
  const sizes: number[] = [];
  for (const row of rows) {
    // A post kept before sizes were recorded: its R2 object says.
    const size = row.size ?? (await env.MAIL.head(row.r2Key))?.size;
    if (size === undefined) throw new Error(`digest ${digest.id}: R2 object ${row.r2Key} not found`);
    sizes.push(size);
  }
  const addresses = listAddresses(list);
  // Everything below comes from the digest row, so a retried run stores the same bytes.
  const input = {
    list: { address: list.address, name: list.name, listId: listIdOf(list) },
    addresses,
    number: digest.number,
    date: rfc5322Date(new Date(digest.createdAt)),
    messageId: `digest-${digest.id}@${list.domain}`,
    posts: rows,
  };
  const raw = await assembleDigest(input, sizes, async (i) => {
    const object = await env.MAIL.get(rows[i]!.r2Key);
    if (!object) throw new Error(`digest ${digest.id}: R2 object ${rows[i]!.r2Key} not found`);
    return new Uint8Array(await object.arrayBuffer());
  });
  const headerBytes = headerEnd(raw);
  const key = await (deps.loadKey ?? loadSigningKey)(env, list.domain);
  const r2Key = `digest/${digest.id}.eml`;
  await storeDeliveryBody(env, r2Key, raw, { messageLogId: digest.id, origin: "list", list: list.address });
  const pages = await startFanout(env, {
    messageLogId: digest.id,
    list,
    r2Key,
    headerBytes,
    author: null,
    // RFC 6376 section 3.7: the body is hashed once here; each member's signature reuses it.
    dkim: key
      ? { bodyHash: dkimBodyHash(raw.subarray(headerBytes)), headerList: MEMBER_SIGNED_FIELDS, selector: key.selector }
      : null,
    signedAt: digest.createdAt,
    // From the list, to its members: a failure is a list bounce (VERP), never a DSN.
    senderAuthenticated: false,
    mode: digest.mode,
  });
  await markDigestQueued(env.DB, digest.id, now);
  const released = await findReleasablePostKeys(env.DB, digest.id);
  if (released.length > 0) await env.MAIL.delete(released);
  log({
    stage: "deliver",
    unit: "digest",
    outcome: "queued",
    messageId: digest.id,
    list: list.address,
    mode: digest.mode,
    period: digest.period,
    part: digest.part,
    posts: rows.length,
    bytes: raw.length,
    pages,
  });
}
