// Starts the Worker under `wrangler dev` on a free port with its own persist directory, after
// applying the local migrations there (as `npm start` does, without touching .wrangler/ or .dev.vars).
// Used by the CLI tests and by `npm run cli:types`, which reads the Worker's own OpenAPI document.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * @param {{adminToken?: string, vars?: Record<string, string>}} [options]
 * @returns {Promise<{url: string, adminToken: string, persistDir: string, stop: () => Promise<void>}>}
 */
export async function startDevWorker(options = {}) {
  const adminToken = options.adminToken ?? "cli-test-admin-token";
  const persistDir = mkdtempSync(join(tmpdir(), "facteur-dev-"));
  const env = {
    ...process.env,
    PATH: `${join(root, "node_modules", ".bin")}${delimiter}${process.env.PATH}`,
    CI: "true",
    WRANGLER_SEND_METRICS: "false",
  };
  const wrangler = join(root, "node_modules", ".bin", "wrangler");
  const migrate = spawnSync(wrangler, ["d1", "migrations", "apply", "facteur", "--local", "--persist-to", persistDir], {
    cwd: root,
    env,
    encoding: "utf8",
  });
  if (migrate.status !== 0) throw new Error(`local migrations failed:\n${migrate.stderr}${migrate.stdout}`);
  // Secrets from an env file of our own: wrangler then ignores the developer's .dev.vars.
  const envFile = join(persistDir, "test.env");
  writeFileSync(
    envFile,
    [
      `ADMIN_TOKEN=${adminToken}`,
      "SRS_SECRET=cli-test-srs-secret",
      "KEY_ENCRYPTION_KEY=dGVzdC1rZXktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXMh",
      "LIST_SECRET=cli-test-list-secret",
    ].join("\n"),
  );
  const port = await freePort();
  const inspector = await freePort();
  const vars = { RELAY_URL: "capture:", ...options.vars };
  const args = ["dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector)];
  args.push("--persist-to", persistDir, "--env-file", envFile);
  for (const [key, value] of Object.entries(vars)) args.push("--var", `${key}:${value}`);
  const child = spawn(wrangler, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
      await new Promise((resolve) => {
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid, "SIGKILL");
          } catch {}
          resolve();
        }, 5000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    rmSync(persistDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return { url, adminToken, persistDir, stop };
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  await stop();
  throw new Error(`wrangler dev did not answer on ${url} within 120 s:\n${output}`);
}
