/**
 * vitest globalSetup: an ARC verification service on 127.0.0.1 for tests running in workerd, which
 * cannot spawn processes. POST /verify with {"message": base64, "zone": {name: TXT}} runs dkimpy's
 * arc_verify (test/support/arc_verify.py, Debian python3-dkim under /usr/bin/python3, installed by
 * scripts/system-deps.sh) and answers with its JSON. Given to tests as `inject("arcVerifier")`.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

const SCRIPT = path.join(import.meta.dirname, "../support/arc_verify.py");

function verify(message: Buffer, zone: Record<string, string>): Promise<string> {
  return (async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "arcverify-"));
    try {
      await writeFile(path.join(dir, "message.eml"), message);
      await writeFile(path.join(dir, "zone.json"), JSON.stringify(zone));
      return await new Promise<string>((resolve, reject) => {
        execFile(
          "/usr/bin/python3",
          [SCRIPT, path.join(dir, "message.eml"), path.join(dir, "zone.json")],
          (e, out, err) => (e ? reject(new Error(`${e.message}\n${err}`)) : resolve(out)),
        );
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          message: string;
          zone: Record<string, string>;
        };
        const out = await verify(Buffer.from(body.message, "base64"), body.zone);
        res.writeHead(200, { "content-type": "application/json" }).end(out);
      } catch (error) {
        res.writeHead(500, { "content-type": "text/plain" }).end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  project.provide("arcVerifier", { url: `http://127.0.0.1:${port}/verify` });
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
