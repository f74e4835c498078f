#!/usr/bin/env node
// `npm run send-mail -- <file.eml> --from <addr> --to <addr> [--url http://localhost:8787]`
// Posts a raw message to the local Email Routing simulator of `wrangler dev` and prints the
// Worker's decision (forwarded / rejected with its SMTP reply / relayed).
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const file = args.find((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
const from = option("from");
const to = option("to");
const base = option("url", process.env.FACTEUR_URL ?? "http://localhost:8787");
if (!file || !from || !to) {
  console.error("usage: npm run send-mail -- <file.eml> --from <addr> --to <addr> [--url http://localhost:8787]");
  process.exit(2);
}
// The simulator wants CRLF line endings, as SMTP delivers them (RFC 5321 section 2.3.8).
const raw = readFileSync(file, "utf8").replace(/\r?\n/g, "\r\n");
const url = new URL("/cdn-cgi/local/email", base);
url.searchParams.set("from", from);
url.searchParams.set("to", to);
url.searchParams.set("format", "json");
let response;
try {
  response = await fetch(url, { method: "POST", body: raw, headers: { "content-type": "message/rfc822" } });
} catch (error) {
  console.error(`facteur: cannot reach ${base} (is \`npm start\` running?): ${error.message}`);
  process.exit(1);
}
const text = await response.text();
let result;
try {
  result = JSON.parse(text);
} catch {
  console.error(`facteur: the simulator answered ${response.status}: ${text}`);
  process.exit(1);
}
const forwards = (result.forwards ?? []).map((f) => f.recipient ?? f.to ?? String(f));
if (result.rejectReason) {
  console.log(`rejected: ${result.rejectReason}`);
} else if (result.outcome === "ok") {
  console.log(
    forwards.length ? `forwarded to: ${forwards.join(", ")}` : "accepted (relayed or handled without forward)",
  );
} else {
  console.log(`temporary failure (${result.outcome}): the sending server would retry`);
}
console.log(JSON.stringify(result, null, 2));
process.exit(result.outcome === "ok" ? 0 : 1);
