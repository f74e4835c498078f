/**
 * vitest globalSetup for the hostile-input suite: lists the MIME corpus in
 * `../shared/conformance/mime-corpus/` (beside the repo clone, as in CI) and serves its files
 * read-only on 127.0.0.1. Tests get `{ baseUrl, files, dataDir }` through `inject("mimeCorpus")`.
 *
 * Why a loopback server: tests run inside workerd, which cannot read the file system, and the
 * corpus is 3.5 MB (three files over 500 KB), too much to push to every test worker through
 * `provide`. Bytes are served exactly as stored (no UTF-8 round trip), so 8-bit and broken
 * messages reach email() unchanged. Only the file list travels through `provide`.
 */
import { readdir, readFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { TestProject } from "vitest/node";

const DATA_DIR = path.resolve(
  process.env.FACTEUR_CONFORMANCE_DIR
    ? path.join(process.env.FACTEUR_CONFORMANCE_DIR, "mime-corpus")
    : path.join(import.meta.dirname, "../../../shared/conformance/mime-corpus"),
);

/** Licence files sit beside the messages; everything else in the tree is a message. */
const isMessage = (name: string) => !/^LICEN[CS]E/i.test(path.basename(name));

async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
      .filter(isMessage)
      .sort();
  } catch {
    return [];
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const files = await listFiles(DATA_DIR);
  const allowed = new Set(files);
  const server = http.createServer(async (req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname.slice(1));
    // Only the listed files: no path is ever built from anything else the request says.
    if (req.method !== "GET" || !allowed.has(name)) {
      res.writeHead(404).end(`not in the MIME corpus: ${name}`);
      return;
    }
    try {
      const body = await readFile(path.join(DATA_DIR, name));
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.byteLength });
      res.end(body);
    } catch (error) {
      res.writeHead(500).end((error as Error).message);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  project.provide("mimeCorpus", { baseUrl: `http://127.0.0.1:${port}`, files, dataDir: DATA_DIR });
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
