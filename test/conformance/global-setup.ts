/**
 * vitest globalSetup for the conformance suites: serves `../shared/conformance/` (read-only, beside
 * the repo clone) over HTTP on 127.0.0.1, and hands the base URL to tests through
 * `project.provide("conformanceData", …)` / `inject("conformanceData")`.
 *
 * Why a loopback file server rather than the other ways @cloudflare/vitest-plugin 1.5 offers:
 * - tests run inside workerd, which has no file system access to the data;
 * - `provide`/`inject` sends values to every test worker in its start-up message. The data is about
 *   2 MB (ARC suite 370 KB, Mail::DKIM corpus 800 KB…), so it would travel to every test file,
 *   whether it runs conformance or not, and a message-size limit would break all of them at once;
 * - Vite's `?raw` import decodes files as UTF-8 text, and the DKIM/ARC vectors must stay byte-exact
 *   (one changed byte breaks a signature);
 * - a miniflare binding would mean reading every file in the shared vitest config.
 * `fetch()` from workerd to 127.0.0.1 works in the pool (the Mailgun stand-in uses it), returns exact
 * bytes, and each suite reads only the files it needs.
 *
 * When the data directory is missing, the URL is still provided and the server answers 404 with the
 * path it looked at, so the conformance tests fail with a clear message and the other tests run.
 */
import { readFile, realpath } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { TestProject } from "vitest/node";

/** In CI the repository is cloned with `shared/` beside it; FACTEUR_CONFORMANCE_DIR overrides it. */
const DATA_DIR = path.resolve(
  process.env.FACTEUR_CONFORMANCE_DIR ?? path.join(import.meta.dirname, "../../../shared/conformance"),
);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const wanted = path.resolve(DATA_DIR, `.${decodeURIComponent(url.pathname)}`);
      // Only files inside the data directory, even through symlinks.
      const real = await realpath(wanted);
      const root = await realpath(DATA_DIR);
      if (req.method !== "GET" || !real.startsWith(`${root}${path.sep}`)) {
        res.writeHead(403).end("forbidden");
        return;
      }
      const body = await readFile(real);
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.byteLength });
      res.end(body);
    } catch (error) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end(`conformance data not found under ${DATA_DIR}: ${(error as Error).message}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  project.provide("conformanceData", { baseUrl: `http://127.0.0.1:${port}`, dataDir: DATA_DIR });
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
