/**
 * The outbound relay benchmark (`npm run bench -- --only=relay`): Facteur's SMTP relay (session
 * pool, pipelining, BDAT) beside Postfix's `smtp-source` with and without `-d` (connection reuse),
 * at equal concurrency, through the same latency-injecting proxy (bench/latency-proxy.mjs) in
 * front of the same counting sink (bench/sink.mjs), at 0 ms and 25 ms each way, for 1 and 50
 * recipients per transaction. Then, in the same workerd: the RSA-2048 signing floor, the list
 * fan-out end to end (sign + send) per core, and the peak memory of 50 copies of a 4.9 MiB message.
 *
 * Every run is bounded: a fixed number of transactions per case, sized for the latency.
 */
import { writeFileSync } from "node:fs";
import { profileWorker } from "./inspector.mjs";
import { startLatencyProxy } from "./latency-proxy.mjs";
import { startSink } from "./sink.mjs";

/** Sessions at once for every client (Workers allow six outgoing connections per invocation). */
export const SESSIONS = 5;
const LATENCIES_MS = [0, 25];
const MESSAGE_BYTES = 2000;
const MEMORY_MESSAGE_BYTES = Math.round(4.9 * 1024 * 1024);
const MEMORY_COPIES = 50;
/**
 * Stages of the list case's profile (inspector.mjs): [label, function names...]; a sample counts
 * for the innermost named function on its stack.
 */
export const LIST_STAGES = [
  ["sign: RSA by WebCrypto + header canonicalisation", "signFast"],
  ["sign: RSA by node:crypto (mailauth)", "signOneShot"],
  ["sign: mailauth signer (first copy, fallback)", "signWithBodyHash", "finalize"],
  ["fan-out page: unsubscribe URL, VERP, loop", "processFanoutPage"],
  ["fan-out page: delivery rows + jobs (D1)", "enqueueDeliveryJobs"],
  ["fan-out page: members read (D1)", "findFanoutPage"],
  ["deliver: rows read (D1)", "findDeliveriesByIds"],
  ["deliver: body from R2", "readObjectBytes"],
  ["deliver: SMTP socket write", "write"],
  ["deliver: SMTP socket read + reply parse", "readReply"],
  ["deliver: SMTP transaction (plan, commands)", "runTransaction", "planTransaction", "runWindow", "settleTransaction"],
  ["deliver: session pool", "sendThroughPool", "sendManyThroughPool"],
  ["deliver: job grouping", "sendJob", "sendManyChunks"],
  ["deliver: 250s recorded as they come (D1)", "flush", "add"],
  ["deliver: attempt recorded (D1)", "recordAttempt", "recordAttempts"],
  ["deliver: log lines", "log", "logError"],
  ["deliver: consumer", "deliverJob", "runBatch", "dispatchQueue"],
  ["distribute (transform, R2 put, pages)", "distributePost"],
];

export const RELAY_GOALS = { 0: 0.5, 25: 0.8, listOverSignFloor: 0.6, memoryOverMessage: 2 };

/** Transactions per case, so that each case lasts seconds, not minutes, at that latency. */
function transactionsFor(latency, rcpts, client, quick) {
  const scale = quick ? 0.3 : 1;
  if (latency === 0) return Math.round((rcpts === 1 ? 3000 : 200) * scale);
  if (client === "smtp-source") return Math.round((rcpts === 1 ? 100 : 15) * scale);
  return Math.round((rcpts === 1 ? 250 : 15) * scale);
}

/**
 * Postfix smtp-source's arguments for the bench's fan-out: `sessions` at a time, `transactions`
 * messages of `bytes`, from the bounce address to member addresses; `perTransaction` adds -r / -d.
 */
export function smtpSourceArgs({ sessions, transactions, perTransaction, bytes, target }) {
  return [
    "-s",
    String(sessions),
    "-m",
    String(transactions),
    ...perTransaction,
    "-l",
    String(bytes),
    "-f",
    "bounce@facteur.bench",
    "-t",
    "m@members.bench",
    "-M",
    "bench.facteur",
    target,
  ];
}

async function timeSmtpSource(smtpSource, runAsync, port, sink, { transactions, rcpts, reuse }) {
  sink.reset();
  const t0 = performance.now();
  const run = await runAsync(
    smtpSource,
    smtpSourceArgs({
      sessions: SESSIONS,
      transactions,
      perTransaction: ["-r", String(rcpts), ...(reuse ? ["-d"] : [])],
      bytes: MESSAGE_BYTES,
      target: `127.0.0.1:${port}`,
    }),
  );
  const ms = performance.now() - t0;
  if (run.status !== 0) throw new Error(`smtp-source failed: ${run.stderr}`);
  return { ms, recipients: sink.stats.recipients, transactions: sink.stats.messages };
}

async function timeFacteur(worker, port, sink, { transactions, rcpts }) {
  sink.reset();
  const r = await worker.call("/relay-fanout", {
    method: "POST",
    body: JSON.stringify({
      host: "127.0.0.1",
      port,
      recipients: transactions * rcpts,
      perMessage: rcpts,
      sessions: SESSIONS,
      size: MESSAGE_BYTES,
    }),
  });
  if (r.failed > 0) throw new Error(`Facteur relay: ${r.failed} recipients failed`);
  return { ms: r.ms, recipients: sink.stats.recipients, transactions: sink.stats.messages, sessions: r.sessions };
}

/**
 * @param {{ startWorker: (name: string) => Promise<any>, smtpSource: string | undefined,
 *   runAsync: Function, memoryOf: (pid: number) => { rssMb: number, hwmMb: number },
 *   fixtures: any, quick: boolean, log: (line: string) => void,
 *   options?: { latencies?: number[], extras?: boolean, profile?: boolean, memoryMode?: string } }} deps
 *   options: `--relay-latencies=0,25`, `--relay-extras=false` (skip signing, list, memory),
 *   `--relay-extras=memory` (only the memory case), `--relay-profile` (a CPU profile of the list
 *   case), `--relay-memory-mode=load` (only read the bodies from R2, to split the memory figure).
 */
export async function benchRelay({ startWorker, smtpSource, runAsync, memoryOf, fixtures, quick, log, options = {} }) {
  const latencies = options.latencies ?? LATENCIES_MS;
  const sinks = { chunking: await startSink({ chunking: true }), data: await startSink({ chunking: false }) };
  const worker = await startWorker("relay", { inspect: options.profile === true });
  const rows = [];
  const out = { sessions: SESSIONS, messageBytes: MESSAGE_BYTES, rows };
  try {
    for (const latency of latencies) {
      const proxies = {
        chunking: await startLatencyProxy({ targetPort: sinks.chunking.port, delayMs: latency }),
        data: await startLatencyProxy({ targetPort: sinks.data.port, delayMs: latency }),
      };
      try {
        for (const rcpts of [1, 50]) {
          const row = { latencyMs: latency, rcptsPerTransaction: rcpts };
          const facteurN = transactionsFor(latency, rcpts, "facteur", quick);
          const sourceN = transactionsFor(latency, rcpts, "smtp-source", quick);
          const cases = [
            [
              "facteurBdat",
              () => timeFacteur(worker, proxies.chunking.port, sinks.chunking, { transactions: facteurN, rcpts }),
            ],
            [
              "facteurData",
              () => timeFacteur(worker, proxies.data.port, sinks.data, { transactions: facteurN, rcpts }),
            ],
          ];
          if (smtpSource) {
            cases.push(
              [
                "smtpSourceReuse",
                () =>
                  timeSmtpSource(smtpSource, runAsync, proxies.data.port, sinks.data, {
                    transactions: facteurN,
                    rcpts,
                    reuse: true,
                  }),
              ],
              [
                "smtpSource",
                () =>
                  timeSmtpSource(smtpSource, runAsync, proxies.data.port, sinks.data, {
                    transactions: sourceN,
                    rcpts,
                    reuse: false,
                  }),
              ],
            );
          }
          for (const [name, run] of cases) {
            const r = await run();
            row[name] = { ...r, recipientsPerSecond: (r.recipients / r.ms) * 1000 };
            log(
              `relay ${latency} ms, ${rcpts} rcpt/txn, ${name}: ${row[name].recipientsPerSecond.toFixed(0)} recipients/s`,
            );
          }
          if (row.smtpSourceReuse) {
            row.ratioBdatOverReuse = row.facteurBdat.recipientsPerSecond / row.smtpSourceReuse.recipientsPerSecond;
            row.ratioDataOverReuse = row.facteurData.recipientsPerSecond / row.smtpSourceReuse.recipientsPerSecond;
          }
          rows.push(row);
        }
      } finally {
        await Promise.all([proxies.chunking.close(), proxies.data.close()]);
      }
    }

    if (options.extras !== false && options.extras !== "memory") {
      out.signFloor = await worker.call("/sign-floor", {
        method: "POST",
        body: JSON.stringify({ n: quick ? 200 : 600 }),
      });
      log(`RSA-2048 signing floor: ${out.signFloor.signaturesPerSecond.toFixed(0)} signatures/s`);
      const key = fixtures.author;
      const listE2e = () =>
        worker.call("/list-e2e", {
          method: "POST",
          body: JSON.stringify({
            members: quick ? 500 : 2000,
            bodyBytes: MESSAGE_BYTES,
            domain: "lists-e2e.facteur.bench",
            selector: key.selector,
            privateKeyPem: key.privateKey,
            host: "127.0.0.1",
            port: sinks.chunking.port,
            sessions: 3,
          }),
        });
      if (options.profile) {
        const profiled = await profileWorker(worker.inspectorPort, listE2e, {
          bundlePath: worker.bundlePath,
          outFile: "bench/.tmp/list-e2e.cpuprofile",
          stages: LIST_STAGES,
        });
        out.list = profiled.result;
        out.listProfile = {
          sampledMs: profiled.sampledMs,
          idleMs: profiled.idleMs,
          functions: profiled.functions,
          modules: profiled.modules,
        };
        log(`list end to end profile: ${JSON.stringify(out.listProfile, null, 1)}`);
      } else out.list = await listE2e();
      out.list.ratioOverSignFloor = out.list.membersPerSecond / out.signFloor.signaturesPerSecond;
      log(`list end to end: ${JSON.stringify(out.list)}`);
    }
  } finally {
    worker.stop();
  }

  if (options.extras === false) {
    await Promise.all([sinks.chunking.close(), sinks.data.close()]);
    return out;
  }
  // Memory in a fresh workerd: peak RSS (VmHWM) over the idle RSS, around 50 copies of 4.9 MiB.
  const memoryBytes = options.memoryBytes ?? MEMORY_MESSAGE_BYTES;
  const fresh = await startWorker("relay-memory");
  try {
    await fresh.call("/relay-memory-setup", {
      method: "POST",
      body: JSON.stringify({ size: memoryBytes, copies: MEMORY_COPIES }),
    });
    // Peak RSS from now on: writing 5 to clear_refs resets VmHWM to the current RSS (Linux).
    const idle = new Map(fresh.workerdPids.map((pid) => [pid, resetPeak(pid, memoryOf)]));
    sinks.data.reset();
    const r = await fresh.call("/relay-memory", {
      method: "POST",
      body: JSON.stringify({ host: "127.0.0.1", port: sinks.data.port, mode: options.memoryMode ?? "send" }),
    });
    // The workerd process that ran the Worker is the one that grew most.
    const grown = fresh.workerdPids
      .map((pid) => ({ before: idle.get(pid), after: memoryOf(pid) }))
      .sort((a, b) => b.after.hwmMb - b.before.rssMb - (a.after.hwmMb - a.before.rssMb))[0];
    const before = grown.before;
    const after = grown.after;
    out.memory = {
      mode: options.memoryMode ?? "send",
      copies: MEMORY_COPIES,
      messageBytes: memoryBytes,
      delivered: sinks.data.stats.messages,
      ms: r.ms,
      idleRssMb: before.rssMb,
      peakRssMb: after.hwmMb,
      overIdleMb: after.hwmMb - before.rssMb,
      overIdleInMessages: ((after.hwmMb - before.rssMb) * 1024 * 1024) / memoryBytes,
    };
    log(`relay memory: ${JSON.stringify(out.memory)}`);
  } finally {
    fresh.stop();
    await Promise.all([sinks.chunking.close(), sinks.data.close()]);
  }
  return out;
}

/** Resets the process's peak RSS to its current RSS (root or the same user), then reads it. */
function resetPeak(pid, memoryOf) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
  } catch {
    // Not allowed here: the peak then counts from the process's start, an overestimate.
  }
  return memoryOf(pid);
}

const rate = (c) => (c ? c.recipientsPerSecond.toFixed(0) : "—");
const ratio = (x) => (x === undefined ? "—" : `${x.toFixed(2)}×`);

/** The relay section of the report, as lines. */
export function relayReport(relay, table) {
  const lines = [
    `\nOutbound relay: recipients/s, ${relay.sessions} sessions for every client, ${relay.messageBytes}-byte messages, through a latency proxy (delay each way) to a counting sink. Facteur BDAT: the sink offers PIPELINING + CHUNKING; Facteur DATA and smtp-source: PIPELINING only (smtp-source does not pipeline). Ratio = Facteur ÷ smtp-source -d in the same run.`,
    table(
      [
        "Delay each way",
        "Rcpt/txn",
        "Facteur BDAT",
        "Facteur DATA",
        "smtp-source -d",
        "smtp-source",
        "Ratio BDAT",
        "Ratio DATA",
        "Goal",
      ],
      relay.rows.map((r) => {
        const goal = RELAY_GOALS[r.latencyMs];
        const best = Math.max(r.ratioBdatOverReuse ?? 0, r.ratioDataOverReuse ?? 0);
        return [
          `${r.latencyMs} ms`,
          r.rcptsPerTransaction,
          rate(r.facteurBdat),
          rate(r.facteurData),
          rate(r.smtpSourceReuse),
          rate(r.smtpSource),
          ratio(r.ratioBdatOverReuse),
          ratio(r.ratioDataOverReuse),
          r.ratioBdatOverReuse === undefined
            ? "—"
            : `≥ ${goal}×: ${best >= goal ? "met" : `missed by ${(goal - best).toFixed(2)}`}`,
        ];
      }),
    ),
  ];
  if (relay.list && relay.signFloor) {
    const l = relay.list;
    const goal = RELAY_GOALS.listOverSignFloor;
    lines.push(
      `\nList fan-out end to end (sign + send, ${l.members} members, one workerd): ${l.membersPerSecond.toFixed(0)} members/s (fan-out pages ${(l.fanoutMs / 1000).toFixed(2)} s, delivery ${(l.deliverMs / 1000).toFixed(2)} s); RSA-2048 signing floor in the same workerd ${relay.signFloor.signaturesPerSecond.toFixed(0)} signatures/s; ratio ${ratio(l.ratioOverSignFloor)} (goal ≥ ${goal}×: ${l.ratioOverSignFloor >= goal ? "met" : `missed by ${(goal - l.ratioOverSignFloor).toFixed(2)}`}).`,
    );
  }
  if (relay.memory) {
    const m = relay.memory;
    const goal = RELAY_GOALS.memoryOverMessage;
    lines.push(
      `Relay memory: ${m.copies} copies of a ${(m.messageBytes / 2 ** 20).toFixed(1)} MiB message through the consumer (${m.delivered} delivered in ${(m.ms / 1000).toFixed(1)} s): peak RSS ${m.peakRssMb.toFixed(0)} MB, +${m.overIdleMb.toFixed(0)} MB over idle = ${m.overIdleInMessages.toFixed(1)}× the message (goal ≤ ${goal}×: ${m.overIdleInMessages <= goal ? "met" : `missed by ${(m.overIdleInMessages - goal).toFixed(1)}×`}).`,
    );
  }
  return lines.join("\n");
}
