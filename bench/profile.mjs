#!/usr/bin/env node
/**
 * Where the inbound time goes: runs Facteur's own authenticate() (src/authenticate, bundled for
 * Node with esbuild; mailauth is the same JavaScript that runs in workerd) over a DKIM-signed,
 * ARC-sealed message under the V8 CPU profiler, and prints the functions with the most self time
 * and the share per package. Writes bench/.tmp/profile-<size>.cpuprofile (open it in Chrome
 * DevTools). Usage: node bench/profile.mjs [20KB|2MB] [iterations]
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import path from "node:path";
import { build } from "esbuild";
import { AUTHSERV_ID, createFixtures, MAIL_FROM } from "./fixtures.mjs";

const here = import.meta.dirname;
const label = process.argv[2] ?? "20KB";
const size = label === "2MB" ? 2_000_000 : label === "200KB" ? 200_000 : label === "2KB" ? 2_000 : 20_000;
const iterations = Number(process.argv[3] ?? (size > 1e6 ? 50 : 500));

mkdirSync(path.join(here, ".tmp"), { recursive: true });
const bundle = path.join(here, ".tmp", "authenticate-node.mjs");
await build({
  stdin: {
    contents: `export { authenticate } from "./src/authenticate/index.ts"; export { createZoneResolver } from "./src/dns/index.ts";`,
    resolveDir: path.resolve(here, ".."),
    loader: "ts",
  },
  bundle: true,
  platform: "node",
  format: "esm",
  outfile: bundle,
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  logLevel: "error",
});
const { authenticate, createZoneResolver } = await import(bundle);

const { zone, messages } = await createFixtures({ sizes: [[label, size]] });
const raw = new Uint8Array(messages[0].raw);
const resolver = createZoneResolver(zone);
const topReceived = /^Received:(.*)$/m.exec(messages[0].raw.toString("latin1", 0, 2000))?.[1]?.trim();
const options = {
  resolver,
  authservId: AUTHSERV_ID,
  mailFrom: MAIL_FROM,
  topReceived,
  trustedReceivers: /(?:^|\.)mx\.cloudflare\.net$/i,
};
const run = () => authenticate(raw, options);
const first = await run();
console.log(
  `${label} (${raw.byteLength} bytes): dkim=${first.dkim.result} spf=${first.spf.result} arc=${first.arc.result} dmarc=${first.dmarc.result}`,
);
for (let i = 0; i < 20; i++) await run();

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 50 });
await session.post("Profiler.start");
const t0 = performance.now();
for (let i = 0; i < iterations; i++) await run();
const elapsed = performance.now() - t0;
const { profile } = await session.post("Profiler.stop");
session.disconnect();
writeFileSync(path.join(here, ".tmp", `profile-${label}.cpuprofile`), JSON.stringify(profile));

/** esbuild marks each bundled module with a "// path" comment line: map a line back to its module. */
const moduleStarts = readFileSync(bundle, "utf8")
  .split("\n")
  .map((line, i) => [i, /^\/\/ ((?:node_modules\/)?[\w@.\-/]+\.[cm]?[jt]s)$/.exec(line)?.[1]])
  .filter(([, m]) => m);
function moduleOf(line) {
  let found = "bundle";
  for (const [start, m] of moduleStarts) {
    if (start > line) break;
    found = m;
  }
  return found;
}
function bundledPackage(callFrame) {
  const m = moduleOf(callFrame.lineNumber);
  if (m.startsWith("node_modules/")) {
    const parts = m.slice(13).split("/");
    // mailauth is broken down by protocol folder: where inside it the time goes matters.
    if (parts[0] === "mailauth") return `mailauth/${parts.slice(1, 3).join("/")}`;
    return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  return m;
}
// Self time per function and per package, from the samples.
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const dt = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const fn = new Map();
const pkg = new Map();
for (const [id, us] of dt) {
  const { callFrame } = byId.get(id);
  const where = callFrame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/bench\/\.tmp\//, "bundle:");
  const key = `${callFrame.functionName || "(anonymous)"} ${where}:${callFrame.lineNumber + 1}`;
  fn.set(key, (fn.get(key) ?? 0) + us);
  const p =
    callFrame.url === ""
      ? callFrame.functionName || "(native)"
      : /bundle:|authenticate-node/.test(where)
        ? bundledPackage(callFrame)
        : where.split("/")[0];
  pkg.set(p, (pkg.get(p) ?? 0) + us);
}
const total = [...dt.values()].reduce((a, b) => a + b, 0);
console.log(
  `${iterations} iterations: ${(elapsed / iterations).toFixed(3)} ms per message on Node ${process.version} (profiler on)`,
);
console.log("\nSelf time by module:");
for (const [k, us] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
  console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
}
console.log("\nTop self time:");
for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
  console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
}
