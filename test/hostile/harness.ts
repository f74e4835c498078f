/**
 * The hostile-input harness: one Worker with a declared DNS zone, seeded D1, and `send()` that runs
 * a raw message through the real email() entry point and returns what Facteur did (forwards,
 * SMTP reject reply), the message log row, and the wall time.
 *
 * Timing inside workerd: Date.now() only advances across I/O. email() always does I/O (the D1
 * routing query and log insert), so the difference spans the whole call.
 */
import { env } from "cloudflare:test";
import { createWorker } from "../../src/index";
import { insertAlias } from "../../src/store/aliases";
import { upsertDestination } from "../../src/store/destinations";
import { insertDomain } from "../../src/store/domains";
import { emailMessage } from "../helpers/email";
import { publish, testKey } from "../helpers/keys";
import { lastLogRow } from "../helpers/message-log";
import { createZoneResolver, type Zone } from "../support/dns/zone";

export const RCPT_DOMAIN = "hostile.test";
/** An alias that forwards to one verified destination. */
export const ALIAS = `inbox@${RCPT_DOMAIN}`;
export const DESTINATION = "owner@gmail.com";

export const senderKey = testKey("sender.test");
export const attackerKey = testKey("evil.test");

export const zone: Zone = {
  // A domain that demands rejection of unauthenticated mail: smuggling it must not pass.
  "_dmarc.bank.test": { TXT: ["v=DMARC1; p=reject"] },
  "_dmarc.sender.test": { TXT: ["v=DMARC1; p=reject"] },
  "_dmarc.evil.test": { TXT: ["v=DMARC1; p=none"] },
};
publish(zone, senderKey);
publish(zone, attackerKey);

export const worker = createWorker({ resolverFor: () => createZoneResolver(zone) });

export interface LogRow {
  id: string;
  decision: string;
  rule: string;
  smtp_reply: string | null;
  reason: string | null;
  size: number;
  subject: string | null;
  from_header: string | null;
  auth: string | null;
  destinations: string;
}

export async function seed(): Promise<void> {
  await env.DB.batch([
    insertDomain(env.DB, { name: RCPT_DOMAIN }),
    upsertDestination(env.DB, DESTINATION, true),
    insertAlias(env.DB, { address: ALIAS, domain: RCPT_DOMAIN, destinations: [DESTINATION] }),
  ]);
}

let counter = 0;

export interface Sent {
  forwards: string[];
  rejected: string | undefined;
  row: LogRow | null;
  ms: number;
  rcpt: string;
}

/**
 * Sends `raw` to a fresh subaddress of ALIAS (so each log row is found by its own recipient) and
 * returns the outcome. `rcpt` overrides the recipient; `testEnv` lets a test lower a limit.
 */
export async function send(
  raw: string | Uint8Array,
  options: { from?: string; rcpt?: string; testEnv?: Env; rawSize?: number } = {},
): Promise<Sent> {
  const rcpt = options.rcpt ?? `inbox+h${++counter}@${RCPT_DOMAIN}`;
  const captured = emailMessage(raw, { from: options.from ?? "someone@sender.test", to: rcpt });
  if (options.rawSize !== undefined) (captured.message as { rawSize: number }).rawSize = options.rawSize;
  const started = Date.now();
  await worker.email(captured.message, options.testEnv ?? env, {} as ExecutionContext);
  const ms = Date.now() - started;
  const row = await lastLogRow<LogRow>(rcpt);
  return { forwards: captured.forwards.map((f) => f.to), rejected: captured.rejected, row, ms, rcpt };
}

/** The shape every decision on hostile input must have: a reply code and an enhanced status. */
export const SMTP_REJECT = /^5\d\d 5\.\d{1,3}\.\d{1,3} \S/;
