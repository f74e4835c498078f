/**
 * The peer baseline: mailauth's own `authenticate()` on Node (root import, which is fine on Node),
 * for the same messages and DNS data as Facteur's benchmark. It does DKIM, ARC, SPF (from the
 * client IP given), DMARC and a BIMI lookup (answered NXDOMAIN by the zone).
 * Node's performance.now() has microsecond resolution, so each message is timed on its own.
 */
import { createRequire } from "node:module";
import { AUTHSERV_ID, CLIENT_IP, HELO, MAIL_FROM } from "./fixtures.mjs";

const require = createRequire(import.meta.url);
const { authenticate } = require("mailauth");

/** A resolver over the declared zone with Node's dns.promises answer shapes (what mailauth expects). */
export function zoneResolver(zone) {
  const lower = Object.fromEntries(Object.entries(zone).map(([name, rr]) => [name.toLowerCase(), rr]));
  return async (name, type = "A") => {
    const node = lower[String(name).toLowerCase().replace(/\.$/, "")];
    const fail = (code) => Object.assign(new Error(`${code} ${name} ${type}`), { code });
    if (!node) throw fail("ENOTFOUND");
    const values = node[type];
    if (!values?.length) throw fail("ENODATA");
    if (type === "TXT") return values.map((v) => (Array.isArray(v) ? v : [v]));
    if (type === "MX") return values.map(([priority, exchange]) => ({ priority, exchange }));
    return values;
  };
}

export async function timeMailauth(raw, zone, n) {
  const resolver = zoneResolver(zone);
  const options = { resolver, ip: CLIENT_IP, helo: HELO, sender: MAIL_FROM, mta: AUTHSERV_ID, trustReceived: false };
  let summary = "";
  for (let i = 0; i < 5; i++) {
    const r = await authenticate(raw, options);
    summary = `dkim=${r.dkim.results[0]?.status.result} spf=${r.spf.status.result} arc=${r.arc.status.result} dmarc=${r.dmarc.status.result}`;
  }
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await authenticate(raw, options);
    times.push(performance.now() - t0);
  }
  return { times, summary };
}
