/**
 * List fan-out through FANOUT_QUEUE (wrangler.toml): the producer turns a post into one job per
 * page of members; the consumer (runners/fanout-consumer.ts) turns a page into delivery jobs, each member
 * with its VERP envelope sender and a prepend block holding its List-Unsubscribe and its own DKIM
 * signature. A 10,000-member list is 20 pages of 500: no invocation reads, signs or enqueues more
 * than one page, so CPU, memory and subrequests stay bounded whatever the list size.
 *
 * Re-running a page (Queues delivers at least once) is harmless: delivery rows are unique per
 * (body, recipient) and a recipient already final gets no new job (deliver/enqueue.ts).
 */

import type { FanoutJob } from "../core/jobs";
import { log } from "../core/log";
import { loadSigningKey, type SigningKey } from "../credentials/dkim-keys";
import { enqueueDeliveryJobs, type RecipientSpec } from "../deliver/enqueue";
import { listAddresses, verpAddress } from "../mail/minted-address";
import { findDigestPage } from "../store/digests";
import { findListByAddress } from "../store/lists";
import { findFanoutPage, findPageStarts } from "../store/members";
import { InvalidFanoutJobError } from "./fanout-job";
import { createMemberSigner, type MemberSigner, signMemberCopy } from "./member-signature";
import type { List } from "./types";
import { publicBaseUrl, unsubscribeToken, unsubscribeUrl } from "./unsubscribe-url";

/**
 * Members per fan-out job. Each member costs one RSA-2048 signature (~1-2 ms, see bench) and
 * ~1 KB of job payload; 500 keeps a page near one second of CPU and its delivery jobs at a few
 * sendBatch calls, far inside the 30 s CPU and 1,000 subrequest limits of one invocation.
 */
export const FANOUT_PAGE_SIZE = 500;

export interface FanoutStart {
  messageLogId: string;
  list: List;
  r2Key: string;
  headerBytes: number;
  author: string | null;
  dkim: FanoutJob["dkim"];
  signedAt: number;
  senderAuthenticated: boolean;
  /** A digest: the pages go to the members in this delivery mode. */
  mode?: FanoutJob["mode"];
}

/** Queues one job per page of active members. Returns the number of pages (0 for an empty list). */
export async function startFanout(
  env: Pick<Env, "DB" | "FANOUT_QUEUE">,
  start: FanoutStart,
  pageSize = FANOUT_PAGE_SIZE,
) {
  const starts = await findPageStarts(env.DB, start.list.address, pageSize);
  const jobs: FanoutJob[] = starts.map((from, i) => ({
    v: 1,
    messageLogId: start.messageLogId,
    list: start.list.address,
    r2Key: start.r2Key,
    headerBytes: start.headerBytes,
    author: start.author,
    from,
    to: starts[i + 1] ?? null,
    dkim: start.dkim,
    signedAt: start.signedAt,
    senderAuthenticated: start.senderAuthenticated,
    ...(start.mode ? { mode: start.mode } : {}),
  }));
  // Queues: sendBatch takes at most 100 messages (DESIGN.md).
  for (let i = 0; i < jobs.length; i += 100) {
    await env.FANOUT_QUEUE.sendBatch(jobs.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })));
  }
  return jobs.length;
}

export interface FanoutDeps {
  loadKey?: (env: Env, domain: string) => Promise<SigningKey | null>;
  pageSize?: number;
}

export interface PageResult {
  members: number;
  skipped: number;
  /** ms spent signing this page's copies (per-member DKIM). */
  signMs: number;
  continued: boolean;
}

/** One page: read members, sign each copy's header, enqueue delivery. Exported for the bench. */
export async function processFanoutPage(env: Env, job: FanoutJob, deps: FanoutDeps = {}): Promise<PageResult> {
  const pageSize = deps.pageSize ?? FANOUT_PAGE_SIZE;
  const list = await findListByAddress(env.DB, job.list);
  if (!list) throw new InvalidFanoutJobError(`list ${job.list} no longer exists`);
  // Members added after the post was split into pages make a page longer than planned: at most
  // pageSize are handled here, the rest goes to a continuation job.
  const members = job.mode
    ? await findDigestPage(env.DB, list.address, job.mode, job.from, job.to, pageSize + 1)
    : await findFanoutPage(env.DB, list.address, job.from, job.to, pageSize + 1);
  const continued = members.length > pageSize;
  const page = members.slice(0, pageSize);
  if (continued) {
    await env.FANOUT_QUEUE.send({ ...job, from: members[pageSize]!.lookup } satisfies FanoutJob, {
      contentType: "json",
    });
  }
  const recipients = page.filter((m) => m.lookup !== job.author || m.receiveOwn);
  if (recipients.length === 0) return { members: 0, skipped: page.length, signMs: 0, continued };

  let signer: MemberSigner | null = null;
  if (job.dkim) {
    const key = await (deps.loadKey ?? loadSigningKey)(env, list.domain);
    if (key) {
      // Only the header section is read: the body was hashed once, when the post was transformed.
      const object = await env.MAIL.get(job.r2Key, { range: { offset: 0, length: job.headerBytes } });
      if (!object) throw new Error(`R2 object ${job.r2Key} not found`);
      signer = createMemberSigner({
        sharedHeader: Buffer.from(await object.arrayBuffer()).toString("binary"),
        domain: list.domain,
        selector: key.selector,
        privateKeyPem: key.privateKeyPem,
        bodyHash: job.dkim.bodyHash,
        headerList: job.dkim.headerList,
        signTime: new Date(job.signedAt),
      });
    } else {
      log({
        stage: "transform",
        unit: "fanout",
        outcome: "key-missing",
        messageId: job.messageLogId,
        domain: list.domain,
      });
    }
  }

  const secret = env.LIST_SECRET;
  const base = publicBaseUrl(env, list.domain);
  const addresses = listAddresses(list);
  const specs: RecipientSpec[] = [];
  let signMs = 0;
  for (const member of recipients) {
    const url = unsubscribeUrl(base, unsubscribeToken(secret, list.address, member.address));
    // RFC 2369 section 3.2 (mailto) and RFC 8058 section 3.1 (the HTTPS URL the POST goes to).
    const memberFields = `List-Unsubscribe: <${url}>,\r\n <mailto:${addresses.request}?subject=unsubscribe>\r\n`;
    let prepend = memberFields;
    if (signer) {
      const t0 = performance.now();
      prepend = (await signMemberCopy(signer, memberFields)) + memberFields;
      signMs += performance.now() - t0;
    }
    specs.push({ rcpt: member.address, mailFrom: verpAddress(secret, list, member.verpKey), prepend });
  }
  await enqueueDeliveryJobs(env, {
    origin: "list",
    messageLogId: job.messageLogId,
    r2Key: job.r2Key,
    mailFrom: addresses.bounces,
    recipients: specs,
    domain: list.domain,
    senderAuthenticated: job.senderAuthenticated,
  });
  log({
    stage: "deliver",
    unit: "fanout",
    outcome: "page-queued",
    messageId: job.messageLogId,
    list: list.address,
    members: specs.length,
    skipped: page.length - specs.length,
    signMs: Math.round(signMs),
  });
  return { members: specs.length, skipped: page.length - specs.length, signMs, continued };
}
