/**
 * The transport half of a delivery attempt: load the body from R2, pick the relay for the
 * domain, and send it to the pending recipients, grouped by envelope sender and per-recipient
 * header block and split to the relay's maxRecipients. Every recipient gets an outcome; nothing
 * here throws for a relay's refusal or a configuration error.
 */
import type { DeliveryJob, JobRecipient } from "../core/jobs";
import { logError } from "../core/log";
import { concatBytes } from "../mail/bytes";
import type { AttemptRecord } from "../store/deliveries";
import { readObjectBytes } from "./read-body";
import type { RecipientOutcome, Relay } from "./relay";

export type RelayFor = (env: Env, domain: string) => Promise<Relay>;

export interface SendResult {
  /** Outcome per delivery id. */
  outcomes: Map<string, RecipientOutcome>;
  relay: string | null;
  /** The stored message as read from R2, or null when the body is missing. */
  original: Uint8Array | null;
}

const encoder = new TextEncoder();

/** Transactions of one job at once (they share the relay's sessions, within the connection budget). */
export const SENDS_PER_JOB = 3;
/** Above this, a job's transactions run one at a time (bytes in flight, not only transactions). */
export const LARGE_BODY_BYTES = 1024 * 1024;

/** Config errors already logged in this isolate: "logged once", not once per message. */
const loggedConfigErrors = new Set<string>();

function allOutcomes(
  recipients: JobRecipient[],
  outcome: Omit<RecipientOutcome, "rcpt">,
): Map<string, RecipientOutcome> {
  return new Map(recipients.map((r) => [r.id, { rcpt: r.rcpt, ...outcome }]));
}

export async function sendJob(
  env: Env,
  job: DeliveryJob,
  recipients: JobRecipient[],
  relayFor: RelayFor,
  /** Called with the recipients a relay accepted, as soon as each transaction ends. */
  onSent: (records: AttemptRecord[]) => Promise<void> = async () => {},
): Promise<SendResult> {
  const object = await env.MAIL.get(job.r2Key);
  if (!object) {
    // Never dropped: R2 may be briefly inconsistent, and the give-up horizon ends a real loss.
    logError({
      stage: "deliver",
      unit: "consumer",
      outcome: "body-missing",
      messageId: job.messageLogId,
      error: `R2 object ${job.r2Key} not found`,
    });
    return {
      outcomes: allOutcomes(recipients, { status: "temporary", reply: "451 4.3.0 message body not found in storage" }),
      relay: null,
      original: null,
    };
  }
  const raw = await readObjectBytes(object);

  let relay: Relay;
  try {
    relay = await relayFor(env, job.domain);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (!loggedConfigErrors.has(`${job.domain}\n${text}`)) {
      loggedConfigErrors.add(`${job.domain}\n${text}`);
      logError({ stage: "deliver", unit: "relay-config", outcome: "config-error", domain: job.domain, error });
    }
    // RFC 3463 X.3.5: system incorrectly configured. Temporary: fixing the config resumes delivery.
    return {
      outcomes: allOutcomes(recipients, {
        status: "temporary",
        reply: `451 4.3.5 relay configuration error: ${text}`,
        relayError: true,
      }),
      relay: null,
      original: raw,
    };
  }

  const refusal = relay.refusesOrigin?.(job.origin) ?? null;
  if (refusal) {
    if (!loggedConfigErrors.has(`${job.domain}\n${refusal}`)) {
      loggedConfigErrors.add(`${job.domain}\n${refusal}`);
      logError({ stage: "deliver", unit: "relay-policy", outcome: "refused", domain: job.domain, error: refusal });
    }
    // Temporary, like a configuration error: the operator's choice of relay, not the message's fault.
    return {
      outcomes: allOutcomes(recipients, { status: "temporary", reply: `451 4.3.5 ${refusal}` }),
      relay: relay.name,
      original: raw,
    };
  }

  const outcomes = new Map<string, RecipientOutcome>();
  // One transaction per (envelope sender, header block): a list's per-member VERP sender or
  // unsubscribe header makes each member's copy distinct.
  const groups = new Map<string, JobRecipient[]>();
  for (const r of recipients) {
    const key = JSON.stringify([r.mailFrom ?? job.mailFrom, r.prepend ?? ""]);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  interface Copy {
    mailFrom: string;
    chunk: JobRecipient[];
    body: Uint8Array;
    prefix?: Uint8Array;
  }
  const copies: Copy[] = [];
  for (const [key, members] of groups) {
    const [mailFrom, prepend] = JSON.parse(key) as [string, string];
    const max = Math.max(1, relay.maxRecipients);
    for (let i = 0; i < members.length; i += max) {
      // The member's header block goes beside the stored body, not into a copy of it, when
      // the relay allows; otherwise one joined copy exists only while its send runs.
      const encoded = prepend ? encoder.encode(prepend) : undefined;
      copies.push({
        mailFrom,
        chunk: members.slice(i, i + max),
        get body() {
          return encoded && !relay.acceptsPrefix ? concatBytes([encoded, raw]) : raw;
        },
        prefix: relay.acceptsPrefix ? encoded : undefined,
      });
    }
  }
  const record = async (results: Map<string, RecipientOutcome>) => {
    const sent: AttemptRecord[] = [];
    for (const [id, outcome] of results) {
      outcomes.set(id, outcome);
      if (outcome.status === "sent") {
        sent.push({
          id,
          status: "sent",
          reply: outcome.reply,
          relay: relay.name,
          nextAttemptAt: null,
          providerMessageId: outcome.providerMessageId,
        });
      }
    }
    await onSent(sent);
  };
  // A few lanes of the job's transactions at once, on the relay's shared sessions; one lane for
  // a large body, so that the bytes in flight stay about one copy of it. A relay with sendMany
  // pipelines each lane's transactions back to back (SMTP with CHUNKING: one round trip a window).
  const parallel = Math.min(raw.byteLength > LARGE_BODY_BYTES ? 1 : SENDS_PER_JOB, copies.length);
  const lanes = Array.from({ length: parallel }, (_, n) => copies.filter((_, k) => k % parallel === n));
  await Promise.all(
    lanes.map(async (lane) => {
      const many = relay.sendMany?.bind(relay);
      if (!many || lane.length < 2) {
        for (const c of lane) await record(await sendChunk(relay, c.mailFrom, c.chunk, c.body, c.prefix, job));
        return;
      }
      await sendManyChunks(relay, many, lane, job, record);
    }),
  );
  return { outcomes, relay: relay.name, original: raw };
}

/** sendChunk's checks and mapping for many copies at once through `relay.sendMany`. */
async function sendManyChunks(
  relay: Relay,
  many: NonNullable<Relay["sendMany"]>,
  copies: { mailFrom: string; chunk: JobRecipient[]; body: Uint8Array; prefix?: Uint8Array }[],
  job: DeliveryJob,
  record: (results: Map<string, RecipientOutcome>) => Promise<void>,
): Promise<void> {
  const fits = copies.filter((c) => fitsRelay(relay, c.body.byteLength + (c.prefix?.byteLength ?? 0)));
  for (const c of copies)
    if (!fits.includes(c)) await record(await sendChunk(relay, c.mailFrom, c.chunk, c.body, c.prefix, job));
  const items = fits.map((c) => ({
    envelope: { mailFrom: c.mailFrom, rcptTo: c.chunk.map((r) => r.rcpt) },
    raw: c.body,
    prefix: c.prefix,
  }));
  const done = new Set<number>();
  let recordFailure: unknown;
  try {
    await many(items, async (k, results) => {
      done.add(k);
      await record(byRecipient(fits[k]!.chunk, results)).catch((error: unknown) => {
        recordFailure = error;
        throw error;
      });
    });
  } catch (error) {
    // A failed record (D1) is the consumer's to handle, as with send.
    if (recordFailure !== undefined || done.size === fits.length) throw error;
    // As in sendChunk: a relay that throws is a bug, but the copies not yet reported are not lost.
    logError({ stage: "deliver", unit: relay.name, outcome: "relay-threw", messageId: job.messageLogId, error });
    const text = error instanceof Error ? error.message : String(error);
    for (const [k, c] of fits.entries()) {
      if (!done.has(k))
        await record(allOutcomes(c.chunk, { status: "temporary", reply: `451 4.3.0 relay error: ${text}` }));
    }
  }
}

function fitsRelay(relay: Relay, size: number): boolean {
  return relay.maxMessageBytes === undefined || size <= relay.maxMessageBytes;
}

function byRecipient(chunk: JobRecipient[], results: RecipientOutcome[]): Map<string, RecipientOutcome> {
  const byRcpt = new Map(results.map((r) => [r.rcpt.toLowerCase(), r]));
  const out = new Map<string, RecipientOutcome>();
  for (const r of chunk) {
    const result = byRcpt.get(r.rcpt.toLowerCase());
    out.set(
      r.id,
      result ?? { rcpt: r.rcpt, status: "temporary", reply: "451 4.3.0 relay gave no answer for this recipient" },
    );
  }
  return out;
}

async function sendChunk(
  relay: Relay,
  mailFrom: string,
  chunk: JobRecipient[],
  body: Uint8Array,
  prefix: Uint8Array | undefined,
  job: DeliveryJob,
): Promise<Map<string, RecipientOutcome>> {
  const size = body.byteLength + (prefix?.byteLength ?? 0);
  if (!fitsRelay(relay, size)) {
    // RFC 3463 X.3.4: message too big for system; the same bytes will never fit.
    return allOutcomes(chunk, {
      status: "permanent",
      reply: `552 5.3.4 message of ${size} bytes exceeds the ${relay.name} relay's limit of ${relay.maxMessageBytes}`,
    });
  }
  let results: RecipientOutcome[];
  try {
    results = await relay.send({ mailFrom, rcptTo: chunk.map((r) => r.rcpt) }, body, prefix);
  } catch (error) {
    // The interface says relays return failures as outcomes; a throw is a bug, but the mail must
    // not be lost over it: temporary, so it is retried and the log shows the error.
    logError({ stage: "deliver", unit: relay.name, outcome: "relay-threw", messageId: job.messageLogId, error });
    const text = error instanceof Error ? error.message : String(error);
    return allOutcomes(chunk, { status: "temporary", reply: `451 4.3.0 relay error: ${text}` });
  }
  return byRecipient(chunk, results);
}
