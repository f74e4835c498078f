/**
 * A real SMTP server for tests: nodemailer's `smtp-server` on 127.0.0.1, with scripted behaviour.
 *
 * Started by `test/servers/global-setup.ts` (vitest globalSetup) and injected into tests as
 * `inject("smtpSink")` (shape: `SmtpSinkInfo` in test/env.d.ts). Also runnable alone:
 *   node test/servers/smtp-sink.mjs     → prints the ports as one JSON line, Ctrl-C stops it.
 *
 * LISTENERS (each on an ephemeral port, all on 127.0.0.1)
 *   plain     no TLS; offers AUTH PLAIN LOGIN (allowed in clear: loopback only), SIZE 10 MiB,
 *             8BITMIME, SMTPUTF8, PIPELINING, ENHANCEDSTATUSCODES.
 *   starttls  the same, plus STARTTLS (RFC 3207) with the test certificate.
 *   tls       implicit TLS from the first byte (RFC 8314, "port 465" style).
 *   bare      plain, but NO 8BITMIME and NO SMTPUTF8, SIZE 65536, and AUTH LOGIN only: a strict
 *             old server. It answers 555 5.5.4 to a MAIL FROM carrying BODY=8BITMIME or SMTPUTF8.
 *   untrusted implicit TLS with a self-signed certificate (certs/untrusted.pem) that nothing
 *             trusts: a client that verifies certificates must fail the handshake.
 *   The certificate (test/servers/certs/server.pem, SAN localhost + IP 127.0.0.1) is signed by the
 *   TEST-ONLY CA test/servers/certs/ca.pem. workerd trusts it because vitest.config.ts points
 *   SSL_CERT_FILE at that CA before miniflare starts.
 *
 * AUTH: user "sink-user", password "sink-password" (PLAIN and LOGIN). Any other pair → 535 5.7.8.
 *   AUTH is optional: unauthenticated senders are accepted too.
 *
 * SCENARIOS, chosen by the recipient's local part (state is keyed by the full address, so put a
 * unique test id in it, e.g. `flaky2-<id>@example.test`):
 *   reject550-*     RCPT → 550 5.1.1 <addr>: no such user
 *   temp451-*       RCPT → 451 4.3.0 <addr>: try again later (every time)
 *   flaky-* / flakyN-*   RCPT → 421 4.4.5 the first N times for that address (N defaults to 1),
 *                   then accepted. 421 is sent as a reply only; the connection stays open.
 *   dropdata-*      the first DATA carrying this address: the sink reads the first chunk, then
 *                   destroys the socket (no final reply, no stored message). Later tries succeed.
 *   slow-* / slowMS-*   RCPT reply delayed by MS milliseconds (default 5000), then accepted.
 *   rejectdata-*    the final reply after DATA is 554 5.6.0 (message refused).
 *   maxN-*          RCPT → 452 4.5.3 too many recipients once N recipients are in the transaction
 *                   (RFC 5321 section 4.5.3.1.10), like Postfix's smtpd_recipient_limit.
 *   anything else   accepted.
 *
 * CONTROL API (HTTP, JSON, on 127.0.0.1:<controlPort>):
 *   GET    /messages[?to=addr]   → { messages: StoredMessage[] } (only complete messages: those that
 *                                  got the final 250). `to` filters on an envelope recipient.
 *          StoredMessage = { id, listener, secure, authUser, mailFrom, mailFromArgs, rcptTo[],
 *                            size, raw (UTF-8 decoded), rawBase64 (exact bytes), receivedAt }
 *   DELETE /messages             → clears stored messages and all scenario counters. Files run in
 *                                  parallel against one sink: prefer unique addresses to DELETE.
 *   GET    /attempts?to=addr     → { rcpt: n, dropped: n } RCPT commands seen / DATA drops for addr.
 *   GET    /sessions?to=addr     → { sessions } connections of the recording front (smtp-front.mjs)
 *                                  that carried a RCPT TO for addr: verbs, groups per read, messages.
 *   GET    /health               → { ok: true }
 * FRONT (smtp-front.mjs): recording listeners before `plain`: pipelining, lockstep, chunking, tired.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SMTPServer } from "smtp-server";
import { startSmtpFront } from "./smtp-front.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const certs = path.join(here, "certs");

export const SINK_USER = "sink-user";
export const SINK_PASSWORD = "sink-password";
const TEN_MIB = 10 * 1024 * 1024;
const BARE_SIZE = 65536;
const DEFAULT_SLOW_MS = 5000;

/** Parses the scenario keyword at the start of a local part, e.g. "flaky3-abc" → { kind: "flaky", n: 3 }. */
function scenarioOf(address) {
  const local = address.slice(0, address.lastIndexOf("@")).toLowerCase();
  const match = /^(reject550|temp451|flaky|dropdata|slow|rejectdata|max)(\d*)-/.exec(local);
  if (!match) return { kind: "accept", n: undefined };
  return { kind: match[1], n: match[2] ? Number(match[2]) : undefined };
}

/**
 * Starts all listeners and the control server. Returns their ports and a close function.
 * @param {{ quiet?: boolean }} [options]
 */
export async function startSmtpSink(options = {}) {
  const key = readFileSync(path.join(certs, "server.key"));
  const cert = readFileSync(path.join(certs, "server.pem"));
  const untrusted = {
    key: readFileSync(path.join(certs, "untrusted.key")),
    cert: readFileSync(path.join(certs, "untrusted.pem")),
  };
  /** @type {object[]} */
  let messages = [];
  /** address → { rcpt, dropped } */
  let attempts = new Map();
  let nextId = 1;

  const counter = (address) => {
    const k = address.toLowerCase();
    let c = attempts.get(k);
    if (!c) {
      c = { rcpt: 0, dropped: 0 };
      attempts.set(k, c);
    }
    return c;
  };

  const makeServer = (name, extra) => {
    const strict = name === "bare";
    const server = new SMTPServer({
      name: `sink-${name}.localhost`,
      banner: `facteur test sink (${name})`,
      key,
      cert,
      size: strict ? BARE_SIZE : TEN_MIB,
      authMethods: ["PLAIN", "LOGIN"],
      authOptional: true,
      allowInsecureAuth: true,
      logger: false,
      disableReverseLookup: true,
      // Keep idle connections from piling up when a test client times out and walks away.
      socketTimeout: 30_000,
      // Do not keep vitest waiting at teardown for clients that walked away.
      closeTimeout: 1000,
      ...(strict ? { hide8BITMIME: true, hideSMTPUTF8: true } : {}),
      ...extra,
      onAuth(auth, _session, callback) {
        const ok =
          auth.username === SINK_USER &&
          (auth.method === "CRAM-MD5" ? auth.validatePassword(SINK_PASSWORD) : auth.password === SINK_PASSWORD);
        if (!ok) {
          const err = new Error("5.7.8 Authentication credentials invalid");
          err.responseCode = 535;
          return callback(err);
        }
        callback(null, { user: auth.username });
      },
      onMailFrom(address, _session, callback) {
        // A server without 8BITMIME/SMTPUTF8 does not know these parameters (RFC 5321 section 4.1.1.11).
        if (strict && (address.args?.BODY || address.args?.SMTPUTF8)) {
          const err = new Error("5.5.4 MAIL FROM parameters not recognized");
          err.responseCode = 555;
          return callback(err);
        }
        callback();
      },
      onRcptTo(address, _session, callback) {
        const rcpt = address.address;
        const c = counter(rcpt);
        c.rcpt += 1;
        const { kind, n } = scenarioOf(rcpt);
        const fail = (code, text) => {
          const err = new Error(text);
          err.responseCode = code;
          callback(err);
        };
        switch (kind) {
          case "reject550":
            return fail(550, `5.1.1 <${rcpt}>: no such user`);
          case "temp451":
            return fail(451, `4.3.0 <${rcpt}>: try again later`);
          case "flaky":
            if (c.rcpt <= (n ?? 1)) return fail(421, `4.4.5 <${rcpt}>: busy, try again later`);
            return callback();
          case "max":
            if (_session.envelope.rcptTo.length >= (n ?? 1)) return fail(452, "4.5.3 Error: too many recipients");
            return callback();
          case "slow":
            setTimeout(() => callback(), n ?? DEFAULT_SLOW_MS);
            return;
          default:
            return callback();
        }
      },
      onData(stream, session, callback) {
        const rcptTo = session.envelope.rcptTo.map((r) => r.address);
        const dropFor = rcptTo.find((r) => scenarioOf(r).kind === "dropdata" && counter(r).dropped === 0);
        if (dropFor) {
          counter(dropFor).dropped += 1;
          stream.once("data", () => {
            for (const connection of server.connections) {
              if (connection.id === session.id) connection._socket.destroy();
            }
          });
          stream.on("error", () => {});
          stream.resume();
          return;
        }
        const chunks = [];
        stream.on("data", (chunk) => chunks.push(chunk));
        stream.on("end", () => {
          if (stream.sizeExceeded) {
            const err = new Error("5.3.4 Message exceeds the fixed size limit");
            err.responseCode = 552;
            return callback(err);
          }
          if (rcptTo.some((r) => scenarioOf(r).kind === "rejectdata")) {
            const err = new Error("5.6.0 Message refused by content filter");
            err.responseCode = 554;
            return callback(err);
          }
          const raw = Buffer.concat(chunks);
          const id = `sink-${nextId++}`;
          messages.push({
            id,
            listener: name,
            secure: Boolean(session.secure),
            authUser: session.user ?? null,
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            mailFromArgs: session.envelope.mailFrom?.args || {},
            rcptTo,
            size: raw.length,
            raw: raw.toString("utf8"),
            rawBase64: raw.toString("base64"),
            receivedAt: new Date().toISOString(),
          });
          callback(null, `2.0.0 Ok: queued as ${id}`);
        });
      },
    });
    server.on("error", (err) => {
      if (!options.quiet) console.error(`[smtp-sink ${name}]`, err.message);
    });
    return server;
  };

  const listen = (server) =>
    new Promise((resolve, reject) => {
      server.server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve(server.server.address().port));
    });

  const servers = {
    plain: makeServer("plain", { disabledCommands: ["STARTTLS"] }),
    starttls: makeServer("starttls", {}),
    tls: makeServer("tls", { secure: true }),
    bare: makeServer("bare", { disabledCommands: ["STARTTLS"], authMethods: ["LOGIN"] }),
    untrusted: makeServer("untrusted", { secure: true, ...untrusted }),
  };
  const ports = {};
  for (const [name, server] of Object.entries(servers)) ports[name] = await listen(server);
  const front = await startSmtpFront(ports.plain);

  const control = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const send = (status, body) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const to = url.searchParams.get("to")?.toLowerCase();
    if (url.pathname === "/messages" && req.method === "GET") {
      const list = to ? messages.filter((m) => m.rcptTo.some((r) => r.toLowerCase() === to)) : messages;
      return send(200, { messages: list });
    }
    if (url.pathname === "/messages" && req.method === "DELETE") {
      messages = [];
      attempts = new Map();
      return send(200, { ok: true });
    }
    if (url.pathname === "/attempts" && req.method === "GET" && to) {
      return send(200, attempts.get(to) ?? { rcpt: 0, dropped: 0 });
    }
    if (url.pathname === "/sessions" && req.method === "GET" && to) {
      return send(200, { sessions: front.sessionsFor(to) });
    }
    if (url.pathname === "/health") return send(200, { ok: true });
    send(404, { error: "not found" });
  });
  const controlPort = await new Promise((resolve) =>
    control.listen(0, "127.0.0.1", () => resolve(control.address().port)),
  );

  return {
    host: "127.0.0.1",
    plainPort: ports.plain,
    starttlsPort: ports.starttls,
    tlsPort: ports.tls,
    barePort: ports.bare,
    untrustedPort: ports.untrusted,
    front: front.ports,
    controlUrl: `http://127.0.0.1:${controlPort}`,
    user: SINK_USER,
    password: SINK_PASSWORD,
    caFile: path.join(certs, "ca.pem"),
    async close() {
      await Promise.all([
        ...Object.values(servers).map((s) => new Promise((resolve) => s.close(() => resolve()))),
        front.close(),
        new Promise((resolve) => {
          control.closeAllConnections();
          control.close(() => resolve());
        }),
      ]);
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const sink = await startSmtpSink();
  const { close: _close, ...info } = sink;
  console.log(JSON.stringify(info));
  const stop = () => sink.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
