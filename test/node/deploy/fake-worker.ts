// A stand-in for the deployed Worker's admin API (the four routes deploy's registration uses),
// answering as the real API does; it accepts only the ADMIN_TOKEN the fake account holds.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeWorker {
  url: string;
  requests: { method: string; path: string; auth: string | undefined }[];
  domains: Map<string, { keys: string[] }>;
  close: () => Promise<void>;
}

export async function startFakeWorker(adminToken: () => string | undefined): Promise<FakeWorker> {
  const requests: FakeWorker["requests"] = [];
  const domains = new Map<string, { keys: string[] }>();
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    requests.push({ method: req.method ?? "", path, auth: req.headers.authorization });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": status < 400 ? "application/json" : "application/problem+json" });
      res.end(JSON.stringify(body));
    };
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      if (!adminToken() || req.headers.authorization !== `Bearer ${adminToken()}`)
        return send(401, { title: "Authentication required", status: 401 });
      const one = path.match(/^\/api\/v1\/domains\/([^/]+)$/);
      const dkim = path.match(/^\/api\/v1\/domains\/([^/]+)\/dkim$/);
      if (req.method === "POST" && path === "/api/v1/domains") {
        const { name } = JSON.parse(body);
        if (domains.has(name)) return send(409, { title: "Conflict", status: 409 });
        domains.set(name, { keys: [] });
        return send(201, { name, enabled: true });
      }
      if (one && req.method === "GET")
        return domains.has(one[1]!) ? send(200, { name: one[1] }) : send(404, { status: 404 });
      if (dkim) {
        const domain = domains.get(dkim[1]!);
        if (!domain) return send(404, { status: 404 });
        if (req.method === "POST") {
          domain.keys.push(`f${domain.keys.length + 1}`);
          return send(201, { selector: domain.keys.at(-1) });
        }
        const name = dkim[1]!;
        return send(200, {
          domain: name,
          keys: domain.keys.map((selector) => ({ selector })),
          records: [
            { type: "MX", name, content: "route1.mx.cloudflare.net", priority: 10, purpose: "mx" },
            { type: "TXT", name, content: "v=spf1 include:_spf.mx.cloudflare.net ~all", purpose: "spf" },
            { type: "TXT", name: `_dmarc.${name}`, content: "v=DMARC1; p=none; adkim=r; aspf=r", purpose: "dmarc" },
            ...domain.keys.map((s) => ({
              type: "TXT",
              name: `${s}._domainkey.${name}`,
              content: `v=DKIM1; k=rsa; p=KEY-${s}`,
              purpose: "dkim",
            })),
          ],
        });
      }
      send(404, { status: 404 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    domains,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
