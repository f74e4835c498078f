/**
 * vitest globalSetup: runs the real `scripts/doh-server.mjs` (the one `npm start` uses) on a free
 * loopback port, serving `test/dns/doh-server-zone.json`, and hands its URL to tests through
 * `project.provide("dohServer", …)`. The DoH resolver is then tested over a real socket from workerd.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import type { TestProject } from "vitest/node";

const root = path.join(import.meta.dirname, "../..");
/** Start-up includes esbuild bundling the zone server; generous, as CI machines are slow. */
const START_TIMEOUT_MS = 20_000;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      path.join(root, "scripts/doh-server.mjs"),
      "--port",
      "0",
      "--zone",
      path.join(root, "test/dns/doh-server-zone.json"),
      "--ttl",
      "120",
    ],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`doh-server did not start:\n${output}`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`doh-server exited with ${code}:\n${output}`));
    });
  });
  // Keep draining the query log so the pipe never fills.
  child.stdout?.resume();
  project.provide("dohServer", { url });
  return async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    await exited;
  };
}
