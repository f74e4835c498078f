#!/usr/bin/env node
// A local DNS-over-HTTPS server (RFC 8484) that answers from a JSON zone file, so `wrangler dev`
// with DOH_URL=http://127.0.0.1:8053/dns-query needs no internet, and tests can exercise the real
// DoH path over a real socket.
//
//   node scripts/doh-server.mjs [--zone FILE] [--port N] [--host ADDR] [--ttl S] [--negative-ttl S]
//
// Also read from the environment: DOH_ZONE, DOH_PORT (default 8053; 0 picks a free port), DOH_HOST
// (default 127.0.0.1). The zone file has the shape of `Zone` in test/support/dns/zone.ts, e.g.
//   { "example.test": { "TXT": ["v=spf1 -all"], "MX": [{ "exchange": "mx.example.test", "priority": 10 }] },
//     "slow.example.test": { "*": [{ "error": "ETIMEOUT" }] } }
// It is read again when it changes. A name declared with ETIMEOUT gets no answer at all.
//
// The answering code is Facteur's own (test/support/dns/zone-server.ts and the wire codec), not
// a copy: Node cannot import those TypeScript files directly (their imports have no extensions, as
// the Worker bundler expects), so esbuild, which wrangler already installs, bundles them in memory
// at start-up.
import { readFileSync, statSync } from "node:fs";
import http from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const MEDIA_TYPE = "application/dns-message";
/** RFC 8484 section 6 / RFC 1035 section 4.2.2: a DNS message is at most 65535 octets. */
const MAX_MESSAGE_OCTETS = 65_535;
/** A declared timeout keeps the request open this long, then drops it, as a lost answer looks. */
const SILENT_HOLD_MS = 60_000;

const { values: args } = parseArgs({
  options: {
    zone: { type: "string", default: process.env.DOH_ZONE },
    port: { type: "string", default: process.env.DOH_PORT ?? "8053" },
    host: { type: "string", default: process.env.DOH_HOST ?? "127.0.0.1" },
    ttl: { type: "string", default: "30" },
    "negative-ttl": { type: "string", default: "5" },
  },
});

async function loadDnsModules() {
  const result = await build({
    stdin: {
      contents: [
        'export { answerFromZone } from "./test/support/dns/zone-server";',
        'export { compileZone } from "./test/support/dns/zone";',
        'export { decodeMessage } from "./src/dns/decode-message";',
      ].join("\n"),
      resolveDir: root,
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "neutral",
    write: false,
    logLevel: "silent",
  });
  const source = result.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(source).toString("base64")}`);
}

const { answerFromZone, compileZone, decodeMessage } = await loadDnsModules();

// The zone, read again whenever the file changes; a broken edit keeps the last good zone.
let zone = compileZone({});
let zoneStamp = "";
function currentZone() {
  if (!args.zone) return zone;
  const stat = statSync(args.zone);
  const stamp = `${stat.mtimeMs}:${stat.size}`;
  if (stamp !== zoneStamp) {
    try {
      zone = compileZone(JSON.parse(readFileSync(args.zone, "utf8")));
      zoneStamp = stamp;
      console.log(`doh-server: zone ${args.zone} loaded (${zone.size} names)`);
    } catch (error) {
      if (!zoneStamp) throw error;
      console.error(`doh-server: zone ${args.zone} not reloaded, keeping the previous one: ${error.message}`);
      zoneStamp = stamp;
    }
  }
  return zone;
}
currentZone();

const RCODE_NAMES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"];

function describe(query, answer) {
  const question = query?.questions?.[0];
  const asked = question ? `${question.name || "."} ${question.type}` : "(undecodable query)";
  if (!answer) return `${asked} -> no answer (declared timeout)`;
  const response = decodeMessage(answer);
  const rcode = RCODE_NAMES[response.flags.rcode] ?? `RCODE ${response.flags.rcode}`;
  return `${asked} -> ${rcode}, ${response.answers.length} answer(s)`;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > MAX_MESSAGE_OCTETS) {
        reject(Object.assign(new Error("DNS message longer than 65535 octets"), { status: 413 }));
        req.destroy();
      } else {
        chunks.push(chunk);
      }
    });
    req.on("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on("error", reject);
  });
}

/** The wire-format query of an RFC 8484 request: POST body, or GET `?dns=` in base64url (section 4.1). */
async function queryOf(req, url) {
  if (req.method === "POST") {
    const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (type !== MEDIA_TYPE) throw Object.assign(new Error(`content-type must be ${MEDIA_TYPE}`), { status: 415 });
    return readBody(req);
  }
  if (req.method === "GET") {
    const dns = url.searchParams.get("dns");
    if (!dns || !/^[A-Za-z0-9_-]+$/.test(dns)) {
      throw Object.assign(new Error("missing or invalid dns parameter (base64url)"), { status: 400 });
    }
    return new Uint8Array(Buffer.from(dns, "base64url"));
  }
  throw Object.assign(new Error("only GET and POST"), { status: 405 });
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname !== "/dns-query") {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found: the endpoint is /dns-query\n");
    return;
  }
  let query;
  try {
    query = await queryOf(req, url);
  } catch (error) {
    res.writeHead(error.status ?? 400, { "content-type": "text/plain" }).end(`${error.message}\n`);
    return;
  }
  const answer = answerFromZone(currentZone(), query, {
    ttlSeconds: Number(args.ttl),
    negativeTtlSeconds: Number(args["negative-ttl"]),
  });
  let decoded;
  try {
    decoded = decodeMessage(query);
  } catch {
    decoded = undefined;
  }
  console.log(`doh-server: ${describe(decoded, answer)}`);
  if (!answer) {
    const timer = setTimeout(() => req.socket.destroy(), SILENT_HOLD_MS);
    req.socket.once("close", () => clearTimeout(timer));
    return;
  }
  // RFC 8484 section 5.1: an HTTP cache must not keep the answer longer than its TTL; say none.
  res.writeHead(200, { "content-type": MEDIA_TYPE, "content-length": answer.length, "cache-control": "no-store" });
  res.end(answer);
});

server.listen(Number(args.port), args.host, () => {
  const { port } = server.address();
  console.log(`doh-server: listening on http://${args.host}:${port}/dns-query`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
