/**
 * The list fan-out benchmark, callable from the bench Worker (bench/, plain workerd): a list of
 * `members` members, one post of `bodyBytes`, through the real pipeline and the real fan-out
 * pages (D1 reads, per-member signing, delivery rows and jobs). Queues are replaced by in-memory
 * collectors so only Facteur's own work is timed; the relay side is the bench's SMTP fan-out.
 *
 * It also measures what the shared body hash saves: the per-member header-only signature against
 * signing each member's full copy from scratch (mailauth's dkimSign over the whole message).
 */
import "../src/mailauth/crypto-compat";
import { dkimSign } from "mailauth/lib/dkim/sign";
import type { DeliveryJob, FanoutJob } from "../src/core/jobs";
import type { SigningKey } from "../src/credentials/dkim-keys";
import { distributePost } from "../src/lists/distribute";
import { processFanoutPage } from "../src/lists/fanout";
import { createMemberSigner, signMemberCopy } from "../src/lists/member-signature";
import { headerEnd } from "../src/mail/header-section";
import { findListByAddress, insertList } from "../src/store/lists";
import { upsertMember } from "../src/store/members";

export interface ListBenchOptions {
  members: number;
  bodyBytes: number;
  /** Signing key of `domain` (the bench generates one; no key store needed). */
  key: SigningKey;
  domain: string;
  /** How many members to also sign the slow way (full message) for the comparison. */
  fullSignSamples?: number;
  /** Receives the delivery jobs the fan-out produced (the relay benchmark sends them). */
  onDeliveryJobs?: (jobs: DeliveryJob[]) => void;
}

export interface ListBenchResult {
  members: number;
  bodyBytes: number;
  pages: number;
  /** email()-side work: DMARC rule, transform pipeline (body hash, ARC seal), R2 put, page planning. */
  distributeMs: number;
  /** Sum over pages of processFanoutPage (D1 page read, signing, delivery rows, job batches). */
  fanoutMs: number;
  slowestPageMs: number;
  /** Per-member DKIM signature over the shared body hash (header-only). */
  perMemberSignMs: number;
  /** The same, as the fan-out pages measured it (0 where the clock only moves on I/O). */
  pageSignMsPerMember: number;
  /** Per-member full re-sign of the whole copy (body hashed again), for comparison. */
  perMemberFullSignMs: number;
  deliveryJobs: number;
  deliveryRecipients: number;
}

function collector<T>() {
  const jobs: T[] = [];
  const queue = {
    jobs,
    async send(body: T) {
      jobs.push(body);
    },
    async sendBatch(messages: Iterable<{ body: T }>) {
      for (const m of messages) jobs.push(m.body);
    },
  };
  return queue;
}

function postOf(domain: string, list: string, bodyBytes: number): Uint8Array {
  const line = `${"The quick brown fox jumps over the lazy dog. ".repeat(1).padEnd(76, ".")}\r\n`;
  const body = line.repeat(Math.max(1, Math.ceil(bodyBytes / line.length)));
  const head = [
    `From: Bench Author <author@${domain}>`,
    `To: ${list}`,
    "Subject: Benchmark post",
    `Message-ID: <${crypto.randomUUID()}@${domain}>`,
    "Date: Wed, 25 Nov 2026 09:00:00 +0000",
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
  ].join("\r\n");
  return new TextEncoder().encode(`${head}\r\n\r\n${body}`);
}

export async function benchListFanout(env: Env, options: ListBenchOptions): Promise<ListBenchResult> {
  const now = Date.now();
  const address = `bench-${now.toString(36)}@${options.domain}`;
  await env.DB.prepare("INSERT OR IGNORE INTO domains (name, enabled, created_at, updated_at) VALUES (?1, 1, ?2, ?2)")
    .bind(options.domain, now)
    .run();
  await insertList(env.DB, { address, name: "Bench", policy: "open", subjectPrefix: "[bench]" }).run();
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < options.members; i++) {
    statements.push(
      upsertMember(env.DB, address, { address: `member${String(i).padStart(6, "0")}@bench-members.test` }, now),
    );
  }
  for (let i = 0; i < statements.length; i += 500) await env.DB.batch(statements.slice(i, i + 500));
  const list = await findListByAddress(env.DB, address);
  if (!list) throw new Error("bench list missing");

  const fanout = collector<FanoutJob>();
  const delivery = collector<DeliveryJob>();
  const benchEnv = { ...env, FANOUT_QUEUE: fanout, DELIVERY_QUEUE: delivery } as unknown as Env;
  const loadKey = async () => options.key;
  const raw = postOf(options.domain, address, options.bodyBytes);

  const t0 = performance.now();
  const distribution = await distributePost(
    benchEnv,
    {
      messageLogId: `bench${now}`,
      list,
      raw,
      auth: benchAuth(options.domain),
      author: { address: `author@${options.domain}`, display: "Bench Author" },
      now,
    },
    { loadKey },
  );
  const distributeMs = performance.now() - t0;

  let fanoutMs = 0;
  let slowestPageMs = 0;
  let signMs = 0;
  let signed = 0;
  for (let i = 0; i < fanout.jobs.length; i++) {
    const start = performance.now();
    const page = await processFanoutPage(benchEnv, fanout.jobs[i]!, { loadKey });
    const elapsed = performance.now() - start;
    fanoutMs += elapsed;
    slowestPageMs = Math.max(slowestPageMs, elapsed);
    signMs += page.signMs;
    signed += page.members;
  }

  // Signing alone, timed in batches that end on I/O: workerd's clock only advances across I/O
  // (Spectre mitigation), so a CPU-only loop must be closed by an await on D1 to be measured.
  const stored = new Uint8Array(await (await env.MAIL.get(distribution.r2Key))!.arrayBuffer());
  const header = Buffer.from(stored.subarray(0, headerEnd(stored))).toString("binary");
  const job = fanout.jobs[0]!;
  const signer = createMemberSigner({
    sharedHeader: header,
    domain: options.domain,
    selector: options.key.selector,
    privateKeyPem: options.key.privateKeyPem,
    bodyHash: job.dkim!.bodyHash,
    headerList: job.dkim!.headerList,
    signTime: new Date(now),
  });
  const io = async () => env.DB.prepare("SELECT 1").first();
  const i0 = performance.now();
  await io();
  const ioMs = performance.now() - i0;
  const samples = Math.max(1, options.fullSignSamples ?? 50);
  const s0 = performance.now();
  for (let i = 0; i < samples * 4; i++) {
    await signMemberCopy(signer, `List-Unsubscribe: <https://x.test/u/${i}>\r\n`);
  }
  await io();
  const perMemberSignMs = Math.max(0, performance.now() - s0 - ioMs) / (samples * 4);
  // The slow way, for comparison: each copy signed in full (the body hashed again per member).
  const f0 = performance.now();
  for (let i = 0; i < samples; i++) {
    const copy = Buffer.concat([Buffer.from(`List-Unsubscribe: <https://x.test/u/${i}>\r\n`), Buffer.from(stored)]);
    await dkimSign(copy, {
      signatureData: [
        { signingDomain: options.domain, selector: options.key.selector, privateKey: options.key.privateKeyPem },
      ],
    } as unknown as Parameters<typeof dkimSign>[1]);
  }
  await io();
  const perMemberFullSignMs = Math.max(0, performance.now() - f0 - ioMs) / samples;

  options.onDeliveryJobs?.(delivery.jobs);
  return {
    members: options.members,
    bodyBytes: raw.byteLength,
    pages: distribution.pages,
    distributeMs,
    fanoutMs,
    slowestPageMs,
    perMemberSignMs,
    perMemberFullSignMs,
    pageSignMsPerMember: signed ? signMs / signed : 0,
    deliveryJobs: delivery.jobs.length,
    deliveryRecipients: delivery.jobs.reduce((n, j) => n + j.recipients.length, 0),
  };
}

function benchAuth(domain: string) {
  return {
    header: `mx.facteur.bench;\r\n dkim=pass header.d=${domain};\r\n dmarc=pass header.from=${domain}`,
    arc: { result: "none", comment: "", instance: 0 },
    dmarc: { result: "pass", comment: "", policy: "reject" },
    authenticated: true,
  };
}
