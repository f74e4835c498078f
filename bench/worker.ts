/**
 * The benchmark Worker, run by bench/run.mjs under plain `wrangler dev` (workerd without the vitest
 * pool's module instrumentation, which inflates timings about 4x). It runs Facteur's real code:
 * authenticate(), route() against D1, handleEmail() (the body of email()), and the SMTP relay.
 *
 * Timing inside workerd: performance.now() has 1 ms resolution here (and in production it only
 * advances across I/O), so a single sub-millisecond message cannot be timed on its own. Each
 * measurement is a batch of k consecutive messages long enough (≥ 25 ms) for the 1 ms step to be
 * a small error; per-message figures are batch time / k. Batches end on I/O when the work does
 * I/O (route, email), so the clock has advanced in production too.
 */

import { connect } from "cloudflare:sockets";
import { authenticate } from "../src/authenticate";
import { readConfig } from "../src/core/config";
import { createSmtpRelay } from "../src/deliver/relays/smtp";
import { handleEmail } from "../src/inbound";
import { parseAddress } from "../src/mail/address";
import { headerValue } from "../src/mail/header-fields";
import { parseReceived } from "../src/receive";
import { route } from "../src/route";
import { INBOUND_CHAIN, runChain } from "../src/route/chain";
import { insertAlias } from "../src/store/aliases";
import { upsertDestination } from "../src/store/destinations";
import { insertDomain } from "../src/store/domains";
import { findRoutingFacts, type RoutingFacts } from "../src/store/routing";
import { createZoneResolver, type Zone } from "../test/support/dns/zone";
import { memberEnvelopes, sendConcurrently } from "./fanout-senders";
import { benchListFanout } from "./lists-fanout";
import { listEndToEnd, relayFanout, relayMemory, relayMemorySetup, signFloor } from "./relay-worker";

interface Setup {
  zone: Zone;
  rcptDomain: string;
  alias: string;
  destination: string;
}

let resolver = createZoneResolver({});

/** A ForwardableEmailMessage like Email Routing's: a raw stream and the envelope; forward() only counts. */
function emailMessage(raw: ReadableStream<Uint8Array>, rawSize: number, from: string, to: string) {
  const outcome = { forwards: 0, rejected: undefined as string | undefined };
  const message = {
    from,
    to,
    raw,
    rawSize,
    headers: new Headers(),
    setReject(reason: string) {
      outcome.rejected = reason;
    },
    async forward() {
      outcome.forwards++;
      return { messageId: "<bench@forward>" };
    },
    async reply() {
      throw new Error("not used");
    },
  } as unknown as ForwardableEmailMessage;
  return { message, outcome };
}

/** Email Routing hands the message over as a stream; 64 KiB chunks like the platform's. */
function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + 65536));
      offset += 65536;
    },
  });
}

const deps = { resolverFor: () => resolver, now: () => Date.now() };

/**
 * auth    authenticate() alone;
 * decide  receive's header parse + authenticate() + the routing chain over routing facts read
 *         once before the loop: the CPU work of "authenticate and route", without waiting on D1;
 * route   the same with route(), i.e. the D1 routing query on every message;
 * email   handleEmail(), the body of email(): stream read, all of the above, the log insert.
 */
type Mode = "auth" | "decide" | "route" | "email";
let facts: RoutingFacts | undefined;

async function once(mode: Mode, raw: Uint8Array, env: Env, from: string, to: string) {
  if (mode === "email") {
    const { message } = emailMessage(streamOf(raw), raw.byteLength, from, to);
    const result = await handleEmail(message, env, deps);
    return { decision: `${result.decision.kind} ${result.decision.rule}`, queries: result.queries, summary: "" };
  }
  const config = readConfig(env);
  const parsed = mode === "auth" ? null : parseReceived(from, to, raw);
  if (parsed && !parsed.ok) throw new Error(`receive refused the fixture: ${parsed.problem.problem}`);
  const topReceived = parsed?.ok ? headerValue(parsed.message.headers, "received") : undefined;
  const auth = await authenticate(raw, {
    resolver,
    authservId: config.authservId,
    mailFrom: from,
    topReceived: topReceived ?? firstReceived(raw),
    trustedReceivers: config.trustedReceivers,
  });
  const summary = `dkim=${auth.dkim.result} spf=${auth.spf.result} arc=${auth.arc.result} dmarc=${auth.dmarc.result}`;
  if (auth.dkim.result !== "pass" || auth.arc.result !== "pass") {
    throw new Error(
      `fixture did not authenticate: ${summary}; ${auth.dkim.comment}; ${auth.spf.comment}; ${auth.arc.comment}`,
    );
  }
  if (mode === "auth" || !parsed?.ok) return { decision: "", queries: 0, summary };
  const recipient = parseAddress(to);
  if (!recipient) throw new Error(`bad recipient ${to}`);
  if (mode === "decide") {
    facts ??= await findRoutingFacts(env.DB, recipient.local, recipient.domain);
    const decision = runChain(INBOUND_CHAIN, { message: parsed.message, auth, recipient, facts, config });
    return { decision: `${decision.kind} ${decision.rule}`, queries: 0, summary };
  }
  const routed = await route(env.DB, parsed.message, auth, recipient, config);
  return { decision: `${routed.decision.kind} ${routed.decision.rule}`, queries: routed.queries, summary };
}

/** The top Received value, for the auth-only mode (which skips receive's header parse). */
function firstReceived(raw: Uint8Array): string | undefined {
  const head = new TextDecoder().decode(raw.subarray(0, Math.min(raw.byteLength, 4096)));
  const match = /^Received:([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)/im.exec(head);
  return match?.[1]?.replace(/\r?\n/g, "").trim();
}

async function inbound(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const mode = (url.searchParams.get("mode") ?? "auth") as Mode;
  const n = Number(url.searchParams.get("n") ?? "100");
  const from = url.searchParams.get("from") ?? "";
  const to = url.searchParams.get("to") ?? "";
  const raw = new Uint8Array(await request.arrayBuffer());
  // Warm-up: JIT, the config cache, DKIM key parsing paths.
  let last = await once(mode, raw, env, from, to);
  for (let i = 0; i < 3; i++) last = await once(mode, raw, env, from, to);
  // Calibrate k so that one batch lasts at least 25 ms.
  let count = 0;
  const c0 = performance.now();
  while (performance.now() - c0 < 50 && count < n) {
    await once(mode, raw, env, from, to);
    count++;
  }
  const perMessage = Math.max((performance.now() - c0) / Math.max(count, 1), 0.001);
  const k = Math.max(1, Math.min(n, Math.ceil(25 / perMessage)));
  const batches: number[] = [];
  for (let done = 0; done + k <= n; done += k) {
    const t0 = performance.now();
    for (let i = 0; i < k; i++) await once(mode, raw, env, from, to);
    batches.push((performance.now() - t0) / k);
  }
  return Response.json({ mode, n: batches.length * k, k, batches, ...last });
}

async function email(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const size = Number(request.headers.get("content-length") ?? "0");
  if (!request.body) return new Response("no body", { status: 400 });
  const { message, outcome } = emailMessage(
    request.body,
    size,
    url.searchParams.get("from") ?? "",
    url.searchParams.get("to") ?? "",
  );
  const t0 = performance.now();
  const result = await handleEmail(message, env, deps);
  return Response.json({
    decision: `${result.decision.kind} ${result.decision.rule}`,
    logged: result.logged,
    queries: result.queries,
    forwards: outcome.forwards,
    rejected: outcome.rejected ?? null,
    ms: performance.now() - t0,
  });
}

async function setup(request: Request, env: Env): Promise<Response> {
  const body = (await request.json()) as Setup;
  resolver = createZoneResolver(body.zone);
  const existing = await env.DB.prepare("SELECT name FROM domains WHERE name = ?").bind(body.rcptDomain).first();
  if (!existing) {
    await env.DB.batch([
      insertDomain(env.DB, { name: body.rcptDomain }),
      upsertDestination(env.DB, body.destination, true),
      insertAlias(env.DB, { address: body.alias, domain: body.rcptDomain, destinations: [body.destination] }),
    ]);
  }
  return Response.json({ ok: true });
}

interface FanoutRequest {
  host: string;
  port: number;
  recipients: number;
  perMessage: number;
  concurrency: number;
  size: number;
}

/** N recipients through the SMTP relay, `perMessage` per transaction, `concurrency` sessions at a time. */
async function fanout(request: Request): Promise<Response> {
  const body = (await request.json()) as FanoutRequest;
  const relay = createSmtpRelay({
    kind: "smtp",
    host: body.host,
    port: body.port,
    security: "none",
    heloName: "bench.facteur",
  });
  const text = `From: list@facteur.bench\r\nTo: members@facteur.bench\r\nSubject: fan-out\r\nMessage-ID: <fanout@facteur.bench>\r\n\r\n`;
  const raw = new TextEncoder().encode(text + "x".repeat(Math.max(0, body.size - text.length - 2)) + "\r\n");
  const envelopes = memberEnvelopes(body.recipients, body.perMessage);
  const t0 = Date.now();
  const { sent, failed } = await sendConcurrently(envelopes, body.concurrency, (envelope) => relay.send(envelope, raw));
  return Response.json({ ms: Date.now() - t0, sent, failed, transactions: envelopes.length });
}

/**
 * The floor under the relay's per-transaction time: N sequential bare sessions (connect, greeting,
 * QUIT, close) with cloudflare:sockets, and N sequential one-recipient relay sends, to the sink.
 */
async function socketProbe(request: Request): Promise<Response> {
  const { host, port, n } = (await request.json()) as { host: string; port: number; n: number };
  const decoder = new TextDecoder();
  const readLine = async (reader: ReadableStreamDefaultReader<Uint8Array>) => {
    let text = "";
    while (!text.includes("\r\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    return text;
  };
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    const socket = connect({ hostname: host, port });
    await socket.opened;
    const reader = socket.readable.getReader();
    const writer = socket.writable.getWriter();
    await readLine(reader);
    await writer.write(new TextEncoder().encode("QUIT\r\n"));
    await readLine(reader);
    await socket.close();
  }
  const bareMs = (Date.now() - t0) / n;
  const relay = createSmtpRelay({ kind: "smtp", host, port, security: "none", heloName: "bench.facteur" });
  const raw = new TextEncoder().encode("From: a@facteur.bench\r\nSubject: probe\r\n\r\nhello\r\n");
  const t1 = Date.now();
  for (let i = 0; i < n; i++) await relay.send({ mailFrom: "a@facteur.bench", rcptTo: [`p${i}@members.bench`] }, raw);
  const relayMs = (Date.now() - t1) / n;
  return Response.json({ bareSessionMs: bareMs, relaySendMs: relayMs });
}

interface ListRequest {
  members: number;
  bodyBytes: number;
  domain: string;
  privateKeyPem: string;
  selector: string;
}

/** The lists helper's fan-out benchmark (bench/lists-fanout.ts): pipeline, pages, signing, jobs. */
async function listFanout(request: Request, env: Env): Promise<Response> {
  const body = (await request.json()) as ListRequest;
  const result = await benchListFanout(env, {
    members: body.members,
    bodyBytes: body.bodyBytes,
    domain: body.domain,
    key: { selector: body.selector, algorithm: "rsa-sha256", privateKeyPem: body.privateKeyPem },
    fullSignSamples: 20,
  });
  return Response.json(result);
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(request.url);
    try {
      if (pathname === "/setup") return await setup(request, env);
      if (pathname === "/inbound") return await inbound(request, env);
      if (pathname === "/email") return await email(request, env);
      if (pathname === "/fanout") return await fanout(request);
      if (pathname === "/socket-probe") return await socketProbe(request);
      if (pathname === "/list") return await listFanout(request, env);
      if (pathname === "/relay-fanout") return await relayFanout(request);
      if (pathname === "/sign-floor") return await signFloor(request, env);
      if (pathname === "/list-e2e") return await listEndToEnd(request, env);
      if (pathname === "/relay-memory-setup") return await relayMemorySetup(request, env);
      if (pathname === "/relay-memory") return await relayMemory(request, env);
      if (pathname === "/health") return new Response("ok");
      return new Response("not found", { status: 404 });
    } catch (error) {
      return new Response(`${(error as Error).stack ?? error}`, { status: 500 });
    }
  },
} satisfies ExportedHandler<Env>;
