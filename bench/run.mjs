#!/usr/bin/env node
/**
 * `npm run bench`: Facteur's benchmarks, printed as a table and written to bench/results.json.
 *
 *   inbound   authenticate (DKIM + ARC + SPF + DMARC) and route, inside plain workerd
 *             (`wrangler dev` running bench/worker.ts, not the vitest pool), for 2 KB … 25 MB
 *             messages that are DKIM-signed and ARC-sealed; p50/p99 per message; beside it
 *             mailauth's own authenticate() on Node for the same messages (the peer baseline).
 *   memory    peak RSS of the workerd process while email() takes each message, streamed in as
 *             Email Routing streams it, in a fresh workerd (VmHWM from /proc, minus the RSS
 *             before the first message).
 *   queries   D1 statements per inbound alias message (handleEmail's `queries`).
 *   fan-out   N recipients through Facteur's SMTP relay (cloudflare:sockets) to a loopback
 *             counting sink, and Postfix's smtp-source against the same sink.
 *
 * Options: --quick (fewer iterations, no 25 MB timing loop), --only=inbound,memory,queries,fanout,
 * --fanout=N (recipients, default 10000), --members=N (list size), --out=FILE (instead of
 * bench/results.json).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../scripts/dev-worker.mjs";
import { timeMailauth } from "./baseline.mjs";
import { createFixtures, DESTINATION, MAIL_FROM, RCPT, RCPT_DOMAIN } from "./fixtures.mjs";
import { benchRelay, relayReport, smtpSourceArgs } from "./relay-bench.mjs";
import { startSink } from "./sink.mjs";

const here = import.meta.dirname;
const root = path.resolve(here, "..");
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, "").split("=");
    return [k, v ?? "true"];
  }),
);
const quick = args.quick === "true";
const only = new Set((args.only ?? "inbound,memory,queries,fanout,relay").split(","));
const FANOUT_RECIPIENTS = Number(args.fanout ?? 10_000);

/** Iterations per size for the workerd timing loop and the Node baseline. */
const ITERATIONS = quick
  ? { "2 KB": 300, "20 KB": 300, "200 KB": 100, "2 MB": 20, "25 MB": 0 }
  : { "2 KB": 2000, "20 KB": 2000, "200 KB": 400, "2 MB": 60, "25 MB": 8 };

const GOALS = { "20 KB": 0.7, "2 MB": 8 };
const MEMORY_LIMIT_MB = 128;

// ── helpers ─────────────────────────────────────────────────────────────────────────────────────
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const fmt = (ms) => (ms === undefined ? "—" : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const kb = (bytes) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} KB`);

/** Every process under `pid` (from /proc), so the workerd that wrangler started can be found. */
function descendants(pid) {
  const children = new Map();
  for (const entry of readdirProc()) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push({ pid: Number(entry), comm });
    } catch {
      // the process ended while we looked
    }
  }
  const out = [];
  const walk = (p) => {
    for (const child of children.get(p) ?? []) {
      out.push(child);
      walk(child.pid);
    }
  };
  walk(pid);
  return out;
}

function readdirProc() {
  return spawnSync("ls", ["/proc"], { encoding: "utf8" })
    .stdout.split("\n")
    .filter((e) => /^\d+$/.test(e));
}

function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) / 1024;
  return { rssMb: field("VmRSS"), hwmMb: field("VmHWM") };
}

const wrangler = path.join(root, "node_modules/.bin/wrangler");
let bundledConfig;

/**
 * Bundles bench/worker.ts once, as `wrangler deploy` would, and writes a config that runs that
 * bundle unbundled. `wrangler dev` watches its sources and restarts workerd when one changes;
 * other engineers edit src/ while the benchmark runs, and a restart mid-run breaks it.
 */
function bundleOnce() {
  if (bundledConfig) return bundledConfig;
  const outdir = path.join(os.tmpdir(), `facteur-bench-${process.pid}`);
  rmSync(outdir, { recursive: true, force: true });
  const build = spawnSync(wrangler, ["deploy", "--dry-run", "--outdir", outdir, "-c", "bench/wrangler.toml"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, CI: "1" },
  });
  if (build.status !== 0 || !existsSync(path.join(outdir, "worker.js"))) {
    throw new Error(`bundling the bench Worker failed:\n${build.stdout}\n${build.stderr}`);
  }
  const config = readFileSync(path.join(here, "wrangler.toml"), "utf8")
    .replace(/^main = .*$/m, 'main = "worker.js"\nno_bundle = true')
    .replace(/^migrations_dir = .*$/m, `migrations_dir = ${JSON.stringify(path.join(root, "migrations"))}`);
  bundledConfig = path.join(outdir, "wrangler.toml");
  writeFileSync(bundledConfig, config);
  return bundledConfig;
}

/** `wrangler dev` for the bundled bench Worker on a free port, with a fresh local D1 migrated from migrations/. */
async function startWorker(name, { inspect = false } = {}) {
  const persist = path.join(here, ".tmp", `state-${name}`);
  rmSync(persist, { recursive: true, force: true });
  const configPath = bundleOnce();
  const migrate = spawnSync(
    wrangler,
    ["d1", "migrations", "apply", "DB", "--local", "-c", configPath, "--persist-to", persist],
    { cwd: root, encoding: "utf8", env: { ...process.env, CI: "1" } },
  );
  if (migrate.status !== 0) throw new Error(`D1 migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);
  const port = await freePort();
  const inspectorPort = inspect ? await freePort() : undefined;
  const child = spawn(
    wrangler,
    [
      "dev",
      "-c",
      configPath,
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--persist-to",
      persist,
      "--log-level",
      "error",
      ...(inspectorPort ? ["--inspector-port", String(inspectorPort)] : []),
    ],
    { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CI: "1" } },
  );
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 120; i++) {
    await new Promise((r) => setTimeout(r, 500));
    if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${output}`);
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i === 119) throw new Error(`wrangler dev did not start:\n${output}`);
  }
  // wrangler dev runs two workerd processes (its proxy and the Worker); memory is read for both
  // and the one that grew is the Worker's.
  const workerds = descendants(child.pid)
    .filter((p) => p.comm === "workerd")
    .map((p) => p.pid);
  return {
    base,
    workerdPids: workerds,
    inspectorPort,
    bundlePath: path.join(path.dirname(configPath), "worker.js"),
    async call(pathname, init) {
      const response = await fetch(`${base}${pathname}`, init);
      const text = await response.text();
      if (!response.ok) throw new Error(`${pathname}: ${response.status} ${text}`);
      return JSON.parse(text);
    },
    stop() {
      // Only the process group this script started.
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    },
  };
}

function machine() {
  const free = spawnSync("free", ["-g"], { encoding: "utf8" }).stdout.trim();
  return {
    date: new Date().toISOString(),
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    free,
    node: process.version,
    loadavg: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" "),
    wrangler: JSON.parse(readFileSync(path.join(root, "node_modules/wrangler/package.json"), "utf8")).version,
    mailauth: JSON.parse(readFileSync(path.join(root, "node_modules/mailauth/package.json"), "utf8")).version,
  };
}

// ── benchmarks ──────────────────────────────────────────────────────────────────────────────────
async function benchInbound(fixtures) {
  const worker = await startWorker("inbound");
  const rows = [];
  try {
    await worker.call("/setup", {
      method: "POST",
      body: JSON.stringify({ zone: fixtures.zone, rcptDomain: RCPT_DOMAIN, alias: RCPT, destination: DESTINATION }),
    });
    for (const message of fixtures.messages) {
      const n = ITERATIONS[message.label] ?? 0;
      const row = { case: message.label, bytes: message.raw.byteLength, n };
      if (n > 0) {
        for (const mode of ["auth", "decide", "route"]) {
          const query = new URLSearchParams({ mode, n: String(n), from: MAIL_FROM, to: RCPT });
          const t0 = performance.now();
          const result = await worker.call(`/inbound?${query}`, { method: "POST", body: message.raw });
          const wall = performance.now() - t0;
          row[mode] = {
            p50: percentile(result.batches, 50),
            p99: percentile(result.batches, 99),
            mean: mean(result.batches),
            k: result.k,
            batches: result.batches.length,
            summary: result.summary,
            decision: result.decision,
            // Cross-check from Node: the whole request (transfer, warm-up and calibration included) / n.
            wallPerMessage: wall / (result.n + 4),
          };
          process.stderr.write(
            `inbound ${message.label} ${mode}: p50 ${fmt(row[mode].p50)} ms (k=${result.k}) ${result.summary} ${result.decision}\n`,
          );
        }
        const baseline = await timeMailauth(message.raw, fixtures.zone, Math.min(n, quick ? 100 : 400));
        row.mailauthNode = {
          p50: percentile(baseline.times, 50),
          p99: percentile(baseline.times, 99),
          mean: mean(baseline.times),
          summary: baseline.summary,
        };
        process.stderr.write(
          `mailauth on Node ${message.label}: p50 ${fmt(row.mailauthNode.p50)} ms ${baseline.summary}\n`,
        );
      }
      rows.push(row);
    }
  } finally {
    worker.stop();
  }
  return rows;
}

async function benchMemory(fixtures) {
  const worker = await startWorker("memory");
  const rows = [];
  try {
    await worker.call("/setup", {
      method: "POST",
      body: JSON.stringify({ zone: fixtures.zone, rcptDomain: RCPT_DOMAIN, alias: RCPT, destination: DESTINATION }),
    });
    if (!worker.workerdPids.length) throw new Error("workerd process not found under wrangler dev");
    // Warm the isolate with the smallest message so the baseline includes the loaded code.
    const query = new URLSearchParams({ from: MAIL_FROM, to: RCPT });
    await worker.call(`/email?${query}`, { method: "POST", body: fixtures.messages[0].raw });
    const idle = new Map(worker.workerdPids.map((pid) => [pid, memoryOf(pid)]));
    for (const message of fixtures.messages) {
      const result = await worker.call(`/email?${query}`, { method: "POST", body: message.raw, duplex: "half" });
      const grown = worker.workerdPids
        .map((pid) => ({ pid, before: idle.get(pid), after: memoryOf(pid) }))
        .sort((a, b) => b.after.hwmMb - b.before.rssMb - (a.after.hwmMb - a.before.rssMb))[0];
      const before = grown.before;
      const after = grown.after;
      rows.push({
        case: message.label,
        bytes: message.raw.byteLength,
        decision: result.decision,
        queries: result.queries,
        forwards: result.forwards,
        ms: result.ms,
        baselineRssMb: before.rssMb,
        peakRssMb: after.hwmMb,
        peakOverBaselineMb: after.hwmMb - before.rssMb,
      });
      process.stderr.write(
        `memory ${message.label}: peak ${after.hwmMb.toFixed(0)} MB (+${(after.hwmMb - before.rssMb).toFixed(0)} MB) ${result.decision}\n`,
      );
    }
  } finally {
    worker.stop();
  }
  return rows;
}

async function benchFanout(fixtures) {
  const sink = await startSink();
  const worker = await startWorker("fanout");
  const results = [];
  let list;
  try {
    const variants = [
      { name: "1 recipient per transaction, 1 session", perMessage: 1, concurrency: 1 },
      { name: "1 recipient per transaction, 10 sessions", perMessage: 1, concurrency: 10 },
      { name: "100 recipients per transaction, 10 sessions", perMessage: 100, concurrency: 10 },
    ];
    for (const v of variants) {
      sink.reset();
      const r = await worker.call("/fanout", {
        method: "POST",
        body: JSON.stringify({
          host: sink.host,
          port: sink.port,
          recipients: FANOUT_RECIPIENTS,
          perMessage: v.perMessage,
          concurrency: v.concurrency,
          size: 2000,
        }),
      });
      results.push({
        client: "Facteur SMTP relay (workerd, cloudflare:sockets)",
        variant: v.name,
        recipients: r.sent,
        failed: r.failed,
        transactions: r.transactions,
        ms: r.ms,
        recipientsPerSecond: (r.sent / r.ms) * 1000,
        messagesPerSecond: (r.transactions / r.ms) * 1000,
        sinkRecipients: sink.stats.recipients,
      });
      process.stderr.write(`fan-out Facteur ${v.name}: ${((r.sent / r.ms) * 1000).toFixed(0)} recipients/s\n`);
    }
    // Where a one-recipient transaction's time goes: a bare session vs a relay send, one at a time.
    const probe = await worker.call("/socket-probe", {
      method: "POST",
      body: JSON.stringify({ host: sink.host, port: sink.port, n: 50 }),
    });
    results.push({
      client: "cloudflare:sockets probe (sequential)",
      variant: `bare connect+greeting+QUIT ${fmt(probe.bareSessionMs)} ms; relay send ${fmt(probe.relaySendMs)} ms`,
      ms: 0,
    });
    process.stderr.write(`socket probe: ${JSON.stringify(probe)}\n`);
    const smtpSource = ensureSmtpSource();
    if (smtpSource) {
      const sourceVariants = [
        { name: "1 recipient per transaction, 10 sessions", args: ["-r", "1"], transactions: FANOUT_RECIPIENTS },
        {
          name: "100 recipients per transaction, 10 sessions",
          args: ["-r", "100"],
          transactions: Math.ceil(FANOUT_RECIPIENTS / 100),
        },
        {
          name: "1 recipient per transaction, 10 sessions, connection reuse (-d)",
          args: ["-r", "1", "-d"],
          transactions: FANOUT_RECIPIENTS,
        },
      ];
      for (const v of sourceVariants) {
        sink.reset();
        const t0 = performance.now();
        const run = await runAsync(
          smtpSource,
          smtpSourceArgs({
            sessions: 10,
            transactions: v.transactions,
            perTransaction: v.args,
            bytes: 2000,
            target: `${sink.host}:${sink.port}`,
          }),
        );
        const ms = performance.now() - t0;
        if (run.status !== 0) throw new Error(`smtp-source failed: ${run.stderr}`);
        results.push({
          client: "Postfix smtp-source",
          variant: v.name,
          recipients: sink.stats.recipients,
          failed: 0,
          transactions: sink.stats.messages,
          ms,
          recipientsPerSecond: (sink.stats.recipients / ms) * 1000,
          messagesPerSecond: (sink.stats.messages / ms) * 1000,
          sinkRecipients: sink.stats.recipients,
        });
        process.stderr.write(
          `fan-out smtp-source ${v.name}: ${((sink.stats.recipients / ms) * 1000).toFixed(0)} recipients/s\n`,
        );
      }
    } else {
      results.push({
        client: "Postfix smtp-source",
        variant: "missing: not installed and could not be installed (needs root and the Debian mirror)",
      });
    }
    // The lists helper's list fan-out (bench/lists-fanout.ts), in the same workerd.
    const members = Number(args.members ?? FANOUT_RECIPIENTS);
    const key = fixtures.author;
    const listRun = await worker.call("/list", {
      method: "POST",
      body: JSON.stringify({
        members,
        bodyBytes: 2000,
        domain: "lists.facteur.bench",
        selector: key.selector,
        privateKeyPem: key.privateKey,
      }),
    });
    list = {
      ...listRun,
      queueOperationsPerMember: (listRun.deliveryJobs + listRun.pages) / listRun.members,
      membersPerSecondOfWork: (listRun.members / (listRun.distributeMs + listRun.fanoutMs)) * 1000,
    };
    process.stderr.write(`list fan-out: ${JSON.stringify(list)}\n`);
  } finally {
    worker.stop();
    await sink.close();
  }
  return { rows: results, list };
}

/**
 * Runs a command without blocking the event loop: the sink it talks to lives in this process, so
 * spawnSync would deadlock.
 */
function runAsync(command, argv) {
  return new Promise((resolve) => {
    const child = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stderr }));
  });
}

/** Postfix's smtp-source, installed from Debian if missing and we are root. */
function ensureSmtpSource() {
  const find = () =>
    ["/usr/sbin/smtp-source", "/usr/bin/smtp-source"].find((p) => spawnSync("test", ["-x", p]).status === 0);
  let found = find();
  if (!found && process.getuid?.() === 0) {
    process.stderr.write("installing postfix for smtp-source (apt-get, non-interactive)…\n");
    spawnSync("apt-get", ["install", "-y", "postfix"], {
      stdio: "ignore",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    found = find();
  }
  return found;
}

// ── report ──────────────────────────────────────────────────────────────────────────────────────
function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(" | ")} |`;
  return [line(headers), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

function report(results) {
  const out = [];
  const m = results.machine;
  out.push(
    `Facteur benchmark, ${m.date}: ${m.nproc} CPUs (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}, wrangler ${m.wrangler}, mailauth ${m.mailauth}, load average ${m.loadavg}`,
  );
  if (results.inbound) {
    out.push(
      "\nInbound, per message (ms), inside plain workerd (wrangler dev). auth = authenticate() (DKIM + ARC + SPF + DMARC); auth+route = header parse + authenticate() + the routing chain (CPU work; the routing facts are read from D1 once); with D1 = the same through route(), which queries local D1 for every message. workerd's clock moves in 1 ms steps, so each figure is a batch of k messages divided by k, and p50/p99 are over batches. Node = mailauth's own authenticate() (DKIM + ARC + SPF + DMARC + BIMI lookup), each message timed. Ratio = auth+route p50 / Node p50, measured in the same run, so it does not depend on the machine's load.",
    );
    out.push(
      table(
        [
          "Case",
          "Size",
          "auth p50",
          "auth+route p50",
          "auth+route p99",
          "with D1 p50",
          "Node p50",
          "Node p99",
          "Ratio",
          "Goal (auth+route p50)",
        ],
        results.inbound.map((r) => [
          r.case,
          kb(r.bytes),
          fmt(r.auth?.p50),
          fmt(r.decide?.p50),
          fmt(r.decide?.p99),
          fmt(r.route?.p50),
          fmt(r.mailauthNode?.p50),
          fmt(r.mailauthNode?.p99),
          r.decide && r.mailauthNode ? (r.decide.p50 / r.mailauthNode.p50).toFixed(2) : "—",
          GOALS[r.case]
            ? `≤ ${GOALS[r.case]} ms: ${r.decide ? (r.decide.p50 <= GOALS[r.case] ? "met" : `missed by ${fmt(r.decide.p50 - GOALS[r.case])} ms`) : "—"}`
            : "",
        ]),
      ),
    );
  }
  if (results.memory) {
    out.push("\nemail() per message in a fresh workerd: peak RSS of the workerd process (VmHWM) and D1 statements.");
    out.push(
      table(
        ["Case", "Size", "Decision", "D1 statements", "Peak RSS", "Over idle", "Goal"],
        results.memory.map((r) => [
          r.case,
          kb(r.bytes),
          r.decision,
          r.queries,
          `${r.peakRssMb.toFixed(0)} MB`,
          `+${r.peakOverBaselineMb.toFixed(0)} MB`,
          r.case === "25 MB"
            ? `< ${MEMORY_LIMIT_MB} MB: ${r.peakOverBaselineMb < MEMORY_LIMIT_MB ? "met" : "missed"}`
            : r.case === "20 KB"
              ? `≤ 2 queries: ${r.queries <= 2 ? "met" : "missed"}`
              : "",
        ]),
      ),
    );
  }
  if (results.fanout) {
    out.push(`\nFan-out to a loopback counting SMTP sink, ${FANOUT_RECIPIENTS} recipients, 2 KB messages.`);
    out.push(
      table(
        ["Client", "Variant", "Recipients", "Transactions", "Seconds", "Recipients/s", "Messages/s"],
        results.fanout.map((r) => [
          r.client,
          r.variant,
          r.recipients ?? "—",
          r.transactions ?? "—",
          r.ms ? (r.ms / 1000).toFixed(2) : "—",
          r.recipientsPerSecond?.toFixed(0) ?? "—",
          r.messagesPerSecond?.toFixed(0) ?? "—",
        ]),
      ),
    );
  }
  if (results.relay) out.push(relayReport(results.relay, table));
  if (results.list) {
    const l = results.list;
    out.push(
      `\nList fan-out (bench/lists-fanout.ts, ${l.members} members, ${kb(l.bodyBytes)} post): distribute ${fmt(l.distributeMs)} ms, ${l.pages} fan-out pages ${fmt(l.fanoutMs)} ms (slowest ${fmt(l.slowestPageMs)} ms), ${l.membersPerSecondOfWork.toFixed(0)} members/s of Worker time; per-member signature ${fmt(l.perMemberSignMs)} ms vs full re-sign ${fmt(l.perMemberFullSignMs)} ms; ${l.deliveryJobs} delivery jobs for ${l.deliveryRecipients} recipients = ${(l.deliveryJobs / l.members).toFixed(4)} delivery-queue operations per member (goal ≤ 1/50 = 0.02: ${l.deliveryJobs / l.members <= 0.02 ? "met" : "missed"}); with the ${l.pages} fan-out page jobs ${l.queueOperationsPerMember.toFixed(4)}.`,
    );
  }
  return out.join("\n");
}

// ── main ────────────────────────────────────────────────────────────────────────────────────────
const results = { machine: machine(), quick };
process.stderr.write("generating fixtures (RSA-2048 keys, DKIM-signed and ARC-sealed messages)…\n");
const fixtures = await createFixtures();
if (only.has("inbound")) results.inbound = await benchInbound(fixtures);
if (only.has("memory") || only.has("queries")) results.memory = await benchMemory(fixtures);
if (only.has("fanout")) {
  const fanout = await benchFanout(fixtures);
  results.fanout = fanout.rows;
  results.list = fanout.list;
}
if (only.has("relay")) {
  results.relay = await benchRelay({
    startWorker,
    smtpSource: ensureSmtpSource(),
    runAsync,
    memoryOf,
    fixtures,
    quick,
    log: (line) => process.stderr.write(`${line}\n`),
    options: {
      latencies: args["relay-latencies"] === "none" ? [] : args["relay-latencies"]?.split(",").map(Number),
      extras: args["relay-extras"] === "memory" ? "memory" : args["relay-extras"] !== "false",
      memoryMode: args["relay-memory-mode"],
      memoryBytes: args["relay-memory-bytes"] ? Number(args["relay-memory-bytes"]) : undefined,
      profile: args["relay-profile"] === "true",
    },
  });
}
results.machine.loadavgAfter = os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(" ");
const text = report(results);
console.log(text);
const out = path.resolve(args.out ?? path.join(here, "results.json"));
writeFileSync(out, `${JSON.stringify({ ...results, table: text }, null, 2)}\n`);
process.stderr.write(`written ${out}\n`);
