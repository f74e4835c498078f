/**
 * Issue 10 item 12: double opt-in confirmations for a bulk member import go through FANOUT_QUEUE
 * in pages, not in the API request. Each confirmation costs about five subrequests (token row,
 * R2 body, delivery row, queue send, enqueued mark); 1,000 of them in one request were ~5,000,
 * past a Worker invocation's limit (1,000 on the paid plan), after the members were committed.
 *
 * The request inserts the members (pending) and queues ceil(n / CONFIRMATION_PAGE_SIZE) jobs in
 * sendBatch calls of 100; each page runs in the queue consumer. A page is idempotent: the R2 key
 * of each confirmation derives from the import id and the address, and an address whose body
 * already has a delivery row is skipped, so a redelivered page mails nobody twice.
 */
import type { ConfirmationPageJobV1 } from "../core/jobs";
import { log } from "../core/log";
import { loadSigningKey, type SigningKey } from "../credentials/dkim-keys";
import { findBodiesWithDeliveries } from "../store/delivery-lookups";
import { findListByAddress } from "../store/lists";
import { confirmationNoticeKey, requestConfirmation } from "./commands";
import { InvalidFanoutJobError } from "./fanout-job";
import { noticeR2Key } from "./notice";

/**
 * Addresses per job: ~5 subrequests each is ~100 a page, and a fan-out batch (max_batch_size 5 in
 * wrangler.toml) stays near 500, half of one invocation's limit.
 */
export const CONFIRMATION_PAGE_SIZE = 20;

/** Queues: sendBatch takes at most 100 messages (DESIGN.md). */
const MESSAGES_PER_SEND_BATCH = 100;

/** Queues the confirmation pages of an import. Returns the number of pages. */
export async function queueConfirmations(
  env: Pick<Env, "FANOUT_QUEUE">,
  input: Omit<ConfirmationPageJobV1, "v" | "kind" | "addresses"> & { addresses: string[] },
): Promise<number> {
  const jobs: ConfirmationPageJobV1[] = [];
  for (let i = 0; i < input.addresses.length; i += CONFIRMATION_PAGE_SIZE) {
    jobs.push({
      v: 1,
      kind: "confirmations",
      ...input,
      addresses: input.addresses.slice(i, i + CONFIRMATION_PAGE_SIZE),
    });
  }
  for (let i = 0; i < jobs.length; i += MESSAGES_PER_SEND_BATCH) {
    await env.FANOUT_QUEUE.sendBatch(
      jobs.slice(i, i + MESSAGES_PER_SEND_BATCH).map((body) => ({ body, contentType: "json" as const })),
    );
  }
  return jobs.length;
}

export function parseConfirmationPageJob(body: unknown): ConfirmationPageJobV1 {
  const job = body as Partial<ConfirmationPageJobV1>;
  const valid =
    job.v === 1 &&
    job.kind === "confirmations" &&
    typeof job.messageLogId === "string" &&
    typeof job.list === "string" &&
    (job.action === "subscribe" || job.action === "unsubscribe") &&
    typeof job.requestedAt === "number" &&
    Array.isArray(job.addresses) &&
    job.addresses.length <= CONFIRMATION_PAGE_SIZE &&
    job.addresses.every((a) => typeof a === "string");
  if (!valid) throw new InvalidFanoutJobError("not a v1 confirmation page");
  return job as ConfirmationPageJobV1;
}

/** Sends the confirmations of one page that were not sent by an earlier run of it. */
export async function sendConfirmationPage(
  env: Env,
  job: ConfirmationPageJobV1,
  deps: { loadKey?: (env: Env, domain: string) => Promise<SigningKey | null> } = {},
): Promise<{ sent: number; skipped: number }> {
  const list = await findListByAddress(env.DB, job.list);
  if (!list) throw new InvalidFanoutJobError(`list ${job.list} no longer exists`);
  const keyOf = (address: string) => noticeR2Key(job.messageLogId, confirmationNoticeKey(job.action, address));
  const done = await findBodiesWithDeliveries(env.DB, job.messageLogId, job.addresses.map(keyOf));
  // One key lookup (and decryption) per page, not per confirmation.
  let key: Promise<SigningKey | null> | undefined;
  const loadKey = (e: Env, domain: string) => {
    key ??= (deps.loadKey ?? loadSigningKey)(e, domain);
    return key;
  };
  let sent = 0;
  for (const address of job.addresses) {
    if (done.has(keyOf(address))) continue;
    await requestConfirmation(
      env,
      { list, address, action: job.action, messageLogId: job.messageLogId, now: job.requestedAt },
      { loadKey },
    );
    sent++;
  }
  const skipped = job.addresses.length - sent;
  log({ stage: "deliver", unit: "confirmations", outcome: "page-sent", messageId: job.messageLogId, sent, skipped });
  return { sent, skipped };
}
