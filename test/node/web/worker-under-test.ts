/**
 * The Worker under `wrangler dev` for the browser tests: a free port, a fresh local persist
 * directory with the migrations applied, the local DoH server (scripts/doh-server.mjs) with a
 * test zone, the capture relay, and test secrets passed as --var (no .dev.vars needed).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../../scripts/dev-worker.mjs";

const root = join(import.meta.dirname, "..", "..", "..");
// wrangler's own script run by this Node (22, from the pinned `node` package under npm), not by
// whatever `node` comes first on PATH.
const wranglerJs = join(root, "node_modules", "wrangler", "bin", "wrangler.js");

export const ADMIN_TOKEN = "web-test-admin-token";

export interface WorkerUnderTest {
  origin: string;
  stop(): Promise<void>;
}

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${seen}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = seen.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => reject(new Error(`exited with ${code} before ${pattern}; output:\n${seen}`)));
  });
}

export async function startWorker(zone: Record<string, unknown>): Promise<WorkerUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), "facteur-web-"));
  const persist = join(dir, "state");
  const zoneFile = join(dir, "zone.json");
  writeFileSync(zoneFile, JSON.stringify(zone));
  const env = {
    ...process.env,
    PATH: `${join(root, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
    CI: "true",
    WRANGLER_SEND_METRICS: "false",
    NO_COLOR: "1",
  };
  execFileSync(
    process.execPath,
    [wranglerJs, "d1", "migrations", "apply", "facteur", "--local", "--persist-to", persist],
    {
      cwd: root,
      env,
      stdio: "pipe",
    },
  );
  const doh = spawn(process.execPath, [join(root, "scripts", "doh-server.mjs"), "--port", "0", "--zone", zoneFile], {
    cwd: root,
    env,
  });
  const dohLine = await waitForLine(doh, /listening on (http:\/\/\S+)/, 30_000);
  const dohUrl = dohLine.replace("listening on ", "");
  const port = await freePort();
  const vars = {
    ADMIN_TOKEN,
    SRS_SECRET: "web-test-srs",
    KEY_ENCRYPTION_KEY: "dGVzdC1rZXktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXMh",
    LIST_SECRET: "web-test-list-secret",
    DOH_URL: dohUrl,
    RELAY_URL: "capture:",
  };
  const dev = spawn(
    process.execPath,
    [
      wranglerJs,
      "dev",
      "--local",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--persist-to",
      persist,
      "--show-interactive-dev-session=false",
      ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ],
    { cwd: root, env, detached: true },
  );
  await waitForLine(dev, /Ready on http:\/\/\S+/, 120_000);
  return {
    origin: `http://127.0.0.1:${port}`,
    async stop() {
      for (const child of [dev, doh]) {
        if (child.exitCode !== null) continue;
        const exited = new Promise((resolve) => child.once("exit", resolve));
        try {
          // wrangler dev runs workerd as a child: end the whole process group it leads.
          if (child === dev && child.pid) process.kill(-child.pid, "SIGTERM");
          else child.kill("SIGTERM");
        } catch {
          child.kill("SIGTERM");
        }
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
