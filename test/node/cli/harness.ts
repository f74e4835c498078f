// Runs the real `facteur` bin (cli/facteur.mjs) as a child process against a Worker under
// `wrangler dev` (scripts/dev-worker.mjs), and a local DoH server answering from a zone file.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const root = join(import.meta.dirname, "..", "..", "..");
const bin = join(root, "cli", "facteur.mjs");

export interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

export function facteur(args: string[], env: Record<string, string | undefined>): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: mkdtempSync(join(tmpdir(), "facteur-home-")),
        ...env,
      } as unknown as NodeJS.ProcessEnv,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

export async function startDoh(
  zone: object,
): Promise<{ url: string; zonePath: string; stop: () => void; child: ChildProcess }> {
  const dir = mkdtempSync(join(tmpdir(), "facteur-doh-"));
  const zonePath = join(dir, "zone.json");
  writeFileSync(zonePath, JSON.stringify(zone));
  const child = spawn(process.execPath, [join(root, "scripts", "doh-server.mjs"), "--port", "0", "--zone", zonePath], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const match = out.match(/listening on (\S+)/);
      if (match) resolve(match[1]!);
    });
    child.on("exit", (code) => reject(new Error(`doh-server exited ${code}`)));
  });
  return { url, zonePath, child, stop: () => child.kill("SIGTERM") };
}

/** One message through Email Routing's local simulator, as `wrangler dev` offers it. */
export async function sendLocalMail(workerUrl: string, from: string, to: string, subject: string) {
  const raw = [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: <${crypto.randomUUID()}@sender.example>`,
    `Date: ${new Date().toUTCString()}`,
    "",
    "hello",
    "",
  ].join("\r\n");
  const url = `${workerUrl}/cdn-cgi/local/email?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&format=json`;
  const response = await fetch(url, { method: "POST", body: raw });
  return response.json() as Promise<{ outcome: string }>;
}
