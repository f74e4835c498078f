/**
 * Bench Worker endpoints for the outbound relay (bench/relay-bench.mjs drives them):
 *   /relay-fanout   N recipients through the SMTP relay's session pool, `perMessage` per
 *                   transaction, `sessions` at a time (the pool's and the connection budget's size)
 *   /sign-floor     RSA-2048 PKCS#1 v1.5 SHA-256 signatures in a loop, in this workerd: the floor
 *                   under per-member DKIM signing
 *   /list-e2e       a list post to M members end to end: fan-out pages (per-member signing, rows,
 *                   jobs), then the delivery consumer sending every copy through the pool
 *   /relay-memory-setup, /relay-memory   one delivery job of 50 member copies of one stored
 *                   message, prepared, then sent through the consumer (the caller reads the
 *                   workerd process's peak RSS around the second call only)
 *
 * workerd's clock only advances across I/O, so CPU loops are closed by an await on D1.
 */

import { Buffer } from "node:buffer";
import nodeCrypto from "node:crypto";
import type { DeliveryJob } from "../src/core/jobs";
import { ConnectionBudget } from "../src/deliver/connection-budget";
import { enqueueDeliveryJobs, storeDeliveryBody } from "../src/deliver/enqueue";
import { readObjectBytes } from "../src/deliver/read-body";
import type { Relay } from "../src/deliver/relay";
import { createSmtpRelay } from "../src/deliver/relays/smtp";
import { dispatchQueue } from "../src/runners/dispatch-queue";
import { memberEnvelopes, sendConcurrently } from "./fanout-senders";
import { benchListFanout } from "./lists-fanout";

const encoder = new TextEncoder();

function smtpRelay(host: string, port: number, sessions: number) {
  return createSmtpRelay({
    kind: "smtp",
    host,
    port,
    security: "none",
    heloName: "bench.facteur",
    sessions: { maxSessions: sessions, maxMessages: 100_000 },
  });
}

function messageOf(size: number): Uint8Array {
  const head = `From: list@facteur.bench\r\nTo: members@facteur.bench\r\nSubject: fan-out\r\nMessage-ID: <fanout@facteur.bench>\r\n\r\n`;
  const line = `${"x".repeat(76)}\r\n`;
  return encoder.encode(head + line.repeat(Math.max(1, Math.ceil((size - head.length) / line.length))));
}

export async function relayFanout(request: Request): Promise<Response> {
  const body = (await request.json()) as {
    host: string;
    port: number;
    recipients: number;
    perMessage: number;
    sessions: number;
    size: number;
  };
  const scoped = smtpRelay(body.host, body.port, body.sessions).openScope(new ConnectionBudget(body.sessions));
  const raw = messageOf(body.size);
  const envelopes = memberEnvelopes(body.recipients, body.perMessage);
  const t0 = Date.now();
  // As many senders as sessions: each send waits for a free session, as jobs of a batch do.
  const { sent, failed } = await sendConcurrently(envelopes, body.sessions, (envelope) => scoped.send(envelope, raw));
  const ms = Date.now() - t0;
  await scoped.close();
  return Response.json({ ms, sent, failed, transactions: envelopes.length, sessions: scoped.stats });
}

const io = (env: Env) => env.DB.prepare("SELECT 1").first();

export async function signFloor(request: Request, env: Env): Promise<Response> {
  const { n } = (await request.json()) as { n: number };
  const key = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const data = encoder.encode("dkim-signature header and the signed header fields, about 600 bytes".repeat(9));
  await io(env);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key.privateKey, data);
  await io(env);
  const ms = performance.now() - t0;
  // The same key through node:crypto (what mailauth's signer calls), for the profile's breakdown.
  const der = (await crypto.subtle.exportKey("pkcs8", key.privateKey)) as ArrayBuffer;
  const keyObject = nodeCrypto.createPrivateKey({ key: Buffer.from(der), format: "der", type: "pkcs8" });
  await io(env);
  const n0 = performance.now();
  for (let i = 0; i < n; i++) nodeCrypto.sign("sha256", data, keyObject);
  await io(env);
  const nodeMs = performance.now() - n0;
  return Response.json({
    n,
    ms,
    signaturesPerSecond: (n / ms) * 1000,
    nodeCryptoSignaturesPerSecond: (n / nodeMs) * 1000,
  });
}

/** Runs delivery jobs through the real consumer, as one queue batch per 100 jobs. */
async function deliver(env: Env, jobs: DeliveryJob[], relay: Relay): Promise<void> {
  for (let i = 0; i < jobs.length; i += 100) {
    const messages = jobs.slice(i, i + 100).map((body, k) => ({
      id: `bench-${i + k}`,
      timestamp: new Date(),
      attempts: 1,
      body,
      ack() {},
      retry() {},
    }));
    const batch = { queue: "facteur-delivery", messages, ackAll() {}, retryAll() {} };
    await dispatchQueue(batch as unknown as MessageBatch<unknown>, env, { relayFor: async () => relay });
  }
}

export async function listEndToEnd(request: Request, env: Env): Promise<Response> {
  const body = (await request.json()) as {
    members: number;
    bodyBytes: number;
    domain: string;
    privateKeyPem: string;
    selector: string;
    host: string;
    port: number;
    sessions: number;
  };
  let jobs: DeliveryJob[] = [];
  const t0 = performance.now();
  const fanout = await benchListFanout(env, {
    members: body.members,
    bodyBytes: body.bodyBytes,
    domain: body.domain,
    key: { selector: body.selector, algorithm: "rsa-sha256", privateKeyPem: body.privateKeyPem },
    fullSignSamples: 1,
    onDeliveryJobs: (collected) => {
      jobs = collected;
    },
  });
  const t1 = performance.now();
  await deliver(env, jobs, smtpRelay(body.host, body.port, body.sessions));
  const t2 = performance.now();
  const workMs = fanout.distributeMs + fanout.fanoutMs + (t2 - t1);
  return Response.json({
    members: body.members,
    jobs: jobs.length,
    distributeMs: fanout.distributeMs,
    fanoutMs: fanout.fanoutMs,
    deliverMs: t2 - t1,
    wallMs: t2 - t0,
    membersPerSecond: (body.members / workMs) * 1000,
    perMemberSignMs: fanout.perMemberSignMs,
  });
}

/** Jobs prepared by /relay-memory-setup, sent by /relay-memory (so the setup is not measured). */
let memoryJobs: DeliveryJob[] = [];

export async function relayMemorySetup(request: Request, env: Env): Promise<Response> {
  const body = (await request.json()) as { size: number; copies: number };
  const id = `mem-${Date.now()}`;
  const domain = "memory.facteur.bench";
  await env.DB.prepare("INSERT OR IGNORE INTO domains (name, enabled, created_at, updated_at) VALUES (?1, 1, ?2, ?2)")
    .bind(domain, Date.now())
    .run();
  await storeDeliveryBody(env, `bench/${id}`, messageOf(body.size));
  const jobs: DeliveryJob[] = [];
  const queue = {
    async send(job: DeliveryJob) {
      jobs.push(job);
    },
    async sendBatch(messages: Iterable<{ body: DeliveryJob }>) {
      for (const m of messages) jobs.push(m.body);
    },
  };
  await enqueueDeliveryJobs({ ...env, DELIVERY_QUEUE: queue } as unknown as Env, {
    origin: "list",
    messageLogId: id,
    r2Key: `bench/${id}`,
    mailFrom: `list-bounces@${domain}`,
    recipients: Array.from({ length: body.copies }, (_, i) => ({
      rcpt: `member${i}@members.bench`,
      mailFrom: `list-bounces+${i}@${domain}`,
      prepend: `List-Unsubscribe: <https://${domain}/u/${i}>\r\n`,
    })),
    domain,
    senderAuthenticated: true,
  });
  memoryJobs = jobs;
  return Response.json({ jobs: jobs.length, bytes: body.size });
}

export async function relayMemory(request: Request, env: Env): Promise<Response> {
  const body = (await request.json()) as {
    host: string;
    port: number;
    mode?: "send" | "load" | "stream";
    arrayBuffer?: boolean;
  };
  const t0 = Date.now();
  if (body.mode === "stream") {
    // What streaming each copy from R2 would hold: 50 reads, each chunk dropped as it comes.
    for (let i = 0; i < 50; i++) {
      const object = await env.MAIL.get(memoryJobs[0]!.r2Key);
      const reader = object!.body.getReader();
      while (!(await reader.read()).done) {}
    }
    return Response.json({ ms: Date.now() - t0, jobs: memoryJobs.length });
  }
  if (body.mode === "load") {
    // Only what the consumer reads, to split the figure: each job's body from R2, then dropped.
    for (const job of memoryJobs) {
      const object = await env.MAIL.get(job.r2Key);
      if (object) await (body.arrayBuffer ? object.arrayBuffer() : readObjectBytes(object));
    }
    return Response.json({ ms: Date.now() - t0, jobs: memoryJobs.length });
  }
  await deliver(env, memoryJobs, smtpRelay(body.host, body.port, 3));
  return Response.json({ ms: Date.now() - t0, jobs: memoryJobs.length });
}
