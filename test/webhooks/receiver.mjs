/**
 * A webhook receiver on 127.0.0.1 for the webhook tests: it verifies every POST with the
 * `standardwebhooks` package (the reference implementation, independent of the Worker's code path
 * only in that it verifies rather than signs) and answers as the path says:
 *
 *   POST /hook/<key>/<script>   script = comma-separated answers, one per request to <key>,
 *                               the last one repeating: a status ("500", "410", "200") or
 *                               "hang" (answer 200 only after HANG_MS, past the Worker's timeout).
 *   GET  /_control/requests?key=<key>   what was received: [{ headers, body, verified, error }]
 */
import http from "node:http";
import { Webhook } from "standardwebhooks";

export const HANG_MS = 2500;

export async function startWebhookReceiver() {
  const secret = `whsec_${Buffer.from("facteur-test-webhook-secret-32bytes!").toString("base64")}`;
  const verifier = new Webhook(secret);
  /** @type {Map<string, object[]>} */
  const received = new Map();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method === "GET" && url.pathname === "/_control/requests") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(received.get(url.searchParams.get("key") ?? "") ?? []));
      return;
    }
    const match = /^\/hook\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (req.method !== "POST" || !match) {
      res.writeHead(404).end();
      return;
    }
    const [, key, script] = match;
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const list = received.get(key) ?? [];
      received.set(key, list);
      let verified = false;
      let error = null;
      try {
        verifier.verify(body, {
          "webhook-id": String(req.headers["webhook-id"] ?? ""),
          "webhook-timestamp": String(req.headers["webhook-timestamp"] ?? ""),
          "webhook-signature": String(req.headers["webhook-signature"] ?? ""),
        });
        verified = true;
      } catch (e) {
        error = String(e?.message ?? e);
      }
      const steps = script.split(",");
      const step = steps[Math.min(list.length, steps.length - 1)];
      list.push({ headers: req.headers, body, verified, error });
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(step === "hang" ? 200 : Number(step), { "content-type": "text/plain" }).end("ok");
      };
      if (step === "hang") setTimeout(answer, HANG_MS);
      else answer();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    secret,
    hangMs: HANG_MS,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
