/**
 * A CPU profile of the bench Worker's isolate through workerd's V8 inspector (the Chrome DevTools
 * protocol that `wrangler dev --inspector-port` exposes): Profiler.start, run the callback,
 * Profiler.stop, then self time per function and per module (bundle section), heaviest first.
 *
 * The bundle is one file, so a function's module is read from the `// path` comments esbuild
 * writes above each module's code (wrangler bundles without minifying).
 */
import { readFileSync, writeFileSync } from "node:fs";

/** The isolate's DevTools WebSocket behind wrangler's inspector proxy. */
async function debuggerUrl(port) {
  for (let i = 0; i < 40; i++) {
    try {
      const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
      const target = targets.find((t) => t.webSocketDebuggerUrl);
      if (target) return target.webSocketDebuggerUrl;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no inspector target on port ${port}`);
}

function client(url) {
  // miniflare's inspector proxy refuses a handshake without an allowed Origin (DNS rebinding guard).
  const ws = new WebSocket(url, { headers: { Origin: "http://localhost" } });
  let id = 0;
  const waiting = new Map();
  ws.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data));
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    if (message.error) pending.reject(new Error(`${message.error.message}`));
    else pending.resolve(message.result);
  });
  const opened = new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve, { once: true });
    ws.addEventListener("error", reject, { once: true });
  });
  return {
    opened,
    send(method, params = {}) {
      const n = ++id;
      ws.send(JSON.stringify({ id: n, method, params }));
      return new Promise((resolve, reject) => waiting.set(n, { resolve, reject }));
    },
    close: () => ws.close(),
  };
}

/** Module boundaries of the bundle: [line, path] from esbuild's `// src/...` comments. */
function moduleIndex(bundlePath) {
  if (!bundlePath) return [];
  const lines = readFileSync(bundlePath, "utf8").split("\n");
  const index = [];
  lines.forEach((line, i) => {
    const m = /^\/\/ ((?:src|bench|node_modules|\.\.)\/[^\s]+)$/.exec(line);
    if (m) index.push([i, m[1].replace(/^node_modules\//, "")]);
  });
  return index;
}

function moduleAt(index, line) {
  let lo = 0;
  let hi = index.length - 1;
  let found = "(runtime)";
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (index[mid][0] <= line) {
      found = index[mid][1];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Profiles `run()` inside the Worker behind `inspectorPort`. Returns the top functions and modules
 * by self time (ms) and the total sampled time; writes the raw profile to `outFile` when given.
 */
export async function profileWorker(inspectorPort, run, { bundlePath, outFile, intervalUs = 200, stages = [] } = {}) {
  const cdp = client(await debuggerUrl(inspectorPort));
  await cdp.opened;
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: intervalUs });
  await cdp.send("Profiler.start");
  let result;
  try {
    result = await run();
  } finally {
    const { profile } = await cdp.send("Profiler.stop");
    cdp.close();
    if (outFile) writeFileSync(outFile, JSON.stringify(profile));
    result = { result, ...summarise(profile, moduleIndex(bundlePath), stages) };
  }
  return result;
}

/**
 * Self time per function and module, and time per stage: a sample counts for the innermost frame
 * on its stack whose function is named in `stages` ([label, functionName...] rows, inner stages
 * first wins because the walk goes from the leaf up), else "(other)".
 */
export function summarise(profile, index, stages = []) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageOf = new Map();
  for (const [label, ...names] of stages) for (const name of names) stageOf.set(name, label);
  const stageMs = new Map();
  const stageCache = new Map();
  const stageFor = (id) => {
    if (stageCache.has(id)) return stageCache.get(id);
    let label = "(other)";
    const fn = byId.get(id).callFrame.functionName;
    if (fn === "(idle)" || fn === "(program)" || fn === "(garbage collector)") label = fn;
    else {
      for (let at = id; at !== undefined; at = parent.get(at)) {
        const found = stageOf.get(byId.get(at).callFrame.functionName);
        if (found) {
          label = found;
          break;
        }
      }
    }
    stageCache.set(id, label);
    return label;
  };
  const self = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (deltas[i + 1] ?? 0) / 1000;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + ms);
    const label = stageFor(profile.samples[i]);
    stageMs.set(label, (stageMs.get(label) ?? 0) + ms);
  }
  const functions = new Map();
  const modules = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, ms] of self) {
    const frame = byId.get(id).callFrame;
    total += ms;
    if (frame.functionName === "(idle)" || frame.functionName === "(program)") {
      if (frame.functionName === "(idle)") idle += ms;
    }
    const module = frame.url.endsWith("worker.js")
      ? moduleAt(index, frame.lineNumber)
      : frame.url || `(native ${frame.functionName || "anonymous"})`;
    const name = `${frame.functionName || "(anonymous)"} ${module}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
    modules.set(module, (modules.get(module) ?? 0) + ms);
  }
  const top = (map, n) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, ms: Math.round(ms * 10) / 10, share: Math.round((ms / total) * 1000) / 10 }));
  return {
    sampledMs: Math.round(total),
    idleMs: Math.round(idle),
    stages: top(stageMs, 40),
    functions: top(functions, 30),
    modules: top(modules, 25),
  };
}
