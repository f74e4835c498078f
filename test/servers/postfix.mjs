/**
 * A private Postfix instance as a real relay for the SMTP client tests, with Dovecot for SASL.
 * Started by test/servers/postfix-setup.ts (vitest globalSetup); runnable alone:
 *   node test/servers/postfix.mjs    → prints the ports as one JSON line, Ctrl-C stops it.
 *
 * Everything lives under one temporary directory: `postfix -c <dir>/conf` with its own main.cf
 * and master.cf, queue_directory and data_directory there, `maillog_file` there; Dovecot with
 * `-c <dir>/dovecot.conf`, its auth service on a loopback TCP port that Postfix uses
 * (smtpd_sasl_type = dovecot). Mail is accepted for any domain from authenticated clients and
 * delivered onward to the `discard` transport, which logs `status=sent` per recipient.
 *
 * Listeners (127.0.0.1, ephemeral ports):
 *   submission  STARTTLS required before AUTH (test CA certificate, SAN localhost/127.0.0.1).
 *   plain       no TLS, AUTH in clear (loopback only), smtpd_recipient_limit = 3 (452 4.5.3),
 *               smtpd_hard_error_limit = 3, recipients starting "reject" refused with 550;
 *               reached through a recording TCP front that keeps, per connection, the command
 *               verbs of each read (to see pipelining on the wire).
 *   nochunking  like plain, with CHUNKING removed from EHLO (smtpd_discard_ehlo_keywords).
 * Control (HTTP): GET /maillog → the log as text; GET /reads → the front's connections.
 * Needs root (Postfix's master runs as root and drops to `postfix`) and the Debian packages
 * postfix and dovecot-core (scripts/system-deps.sh installs them).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../../scripts/dev-worker.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
export const POSTFIX_USER = "relay-user";
export const POSTFIX_PASSWORD = "relay-password";

/** Why Postfix cannot run here, or undefined when it can. */
export function postfixUnavailable() {
  if (process.getuid?.() !== 0) return "not root (Postfix's master must start as root)";
  const deps = spawnSync("bash", [path.join(here, "../../scripts/system-deps.sh")], { encoding: "utf8" });
  if (deps.status !== 0) return `scripts/system-deps.sh failed: ${deps.stderr.trim().slice(-400)}`;
  for (const bin of ["/usr/sbin/postfix", "/usr/sbin/dovecot"]) if (!existsSync(bin)) return `${bin} missing`;
  return undefined;
}

/** A TCP front that records, per connection, the SMTP verbs found at line starts of each client read. */
async function startRecorder(targetPort) {
  const connections = [];
  const server = net.createServer((client) => {
    const record = { id: connections.length + 1, reads: [] };
    connections.push(record);
    const upstream = net.connect(targetPort, "127.0.0.1");
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on("data", (chunk) => {
      const verbs = [...chunk.toString("latin1").matchAll(/(?:^|\r\n)(EHLO|AUTH|MAIL|RCPT|DATA|BDAT|RSET|QUIT)\b/gi)];
      if (verbs.length > 0) record.reads.push(verbs.map((m) => m[1].toUpperCase()));
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => client.write(chunk));
    client.on("end", () => upstream.end());
    upstream.on("end", () => client.end());
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: server.address().port, connections, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * Runs a command that may leave a daemon behind: no pipes, or waiting for their end would wait
 * for the daemon. Without a terminal Postfix reports to maillog_file, Dovecot to log_path.
 */
function run(argv) {
  return { status: spawnSync(argv[0], argv.slice(1), { stdio: "ignore" }).status };
}

export async function startPostfix() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "facteur-postfix-"));
  chmodSync(dir, 0o755);
  const conf = path.join(dir, "conf");
  for (const sub of ["conf", "queue", "data", "dovecot-run", "dovecot-state"]) mkdirSync(path.join(dir, sub));
  const postfixUid = Number(spawnSync("id", ["-u", "postfix"], { encoding: "utf8" }).stdout.trim());
  chownSync(path.join(dir, "data"), postfixUid, -1);
  const [submission, plain, nochunking, auth] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const maillog = path.join(dir, "maillog");
  const certs = path.join(here, "certs");

  writeFileSync(path.join(dir, "users"), `${POSTFIX_USER}:{PLAIN}${POSTFIX_PASSWORD}\n`);
  writeFileSync(
    path.join(dir, "dovecot.conf"),
    `base_dir = ${dir}/dovecot-run
state_dir = ${dir}/dovecot-state
log_path = ${dir}/dovecot.log
protocols =
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=/nonexistent
}
service auth {
  inet_listener {
    address = 127.0.0.1
    port = ${auth}
  }
}
`,
  );
  writeFileSync(path.join(conf, "recipients.regexp"), "/^reject/ 550 5.1.1 no such user here\n");
  writeFileSync(
    path.join(conf, "main.cf"),
    `compatibility_level = 3.6
queue_directory = ${dir}/queue
data_directory = ${dir}/data
maillog_file = ${maillog}
maillog_file_prefixes = ${dir}
myhostname = postfix.facteur.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
default_transport = discard
relay_transport = discard
local_transport = discard
virtual_transport = discard
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:${auth}
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions = check_recipient_access regexp:${conf}/recipients.regexp, permit_sasl_authenticated, reject
smtpd_tls_cert_file = ${certs}/server.pem
smtpd_tls_key_file = ${certs}/server.key
smtpd_tls_security_level = may
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
`,
  );
  const common = "-o smtpd_tls_security_level=none -o smtpd_recipient_limit=3 -o smtpd_hard_error_limit=3";
  writeFileSync(
    path.join(conf, "master.cf"),
    `127.0.0.1:${submission} inet n - n - - smtpd -o smtpd_tls_security_level=encrypt -o smtpd_tls_auth_only=yes
127.0.0.1:${plain} inet n - n - - smtpd ${common}
127.0.0.1:${nochunking} inet n - n - - smtpd ${common} -o smtpd_discard_ehlo_keywords=chunking
postlog unix-dgram n - n - 1 postlogd
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
local unix - n n - - local
virtual unix - n n - - virtual
lmtp unix - - n - - lmtp
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
`,
  );

  const dovecotConf = path.join(dir, "dovecot.conf");
  if (run(["/usr/sbin/dovecot", "-c", dovecotConf]).status !== 0) {
    const log = existsSync(path.join(dir, "dovecot.log")) ? readFileSync(path.join(dir, "dovecot.log"), "utf8") : "";
    throw new Error(`dovecot failed to start:\n${log.slice(-2000)}`);
  }
  const started = run(["/usr/sbin/postfix", "-c", conf, "start"]);
  if (started.status !== 0) {
    const log = existsSync(maillog) ? readFileSync(maillog, "utf8").slice(-2000) : "";
    run(["/usr/sbin/dovecot", "-c", dovecotConf, "stop"]);
    throw new Error(`postfix failed to start:\n${log}`);
  }
  for (let i = 0; i < 50; i++) {
    const ok = await new Promise((resolve) => {
      const probe = net.connect(submission, "127.0.0.1");
      probe.once("connect", () => resolve(probe.end() && true));
      probe.once("error", () => resolve(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const recorder = await startRecorder(plain);
  const control = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === "/maillog") {
      res.writeHead(200, { "content-type": "text/plain" });
      return res.end(existsSync(maillog) ? readFileSync(maillog, "utf8") : "");
    }
    if (url.pathname === "/reads") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ connections: recorder.connections }));
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve) => control.listen(0, "127.0.0.1", resolve));

  return {
    host: "127.0.0.1",
    submissionPort: submission,
    plainPort: recorder.port,
    nochunkingPort: nochunking,
    user: POSTFIX_USER,
    password: POSTFIX_PASSWORD,
    controlUrl: `http://127.0.0.1:${control.address().port}`,
    async close() {
      run(["/usr/sbin/postfix", "-c", conf, "stop"]);
      run(["/usr/sbin/dovecot", "-c", dovecotConf, "stop"]);
      await recorder.close();
      control.closeAllConnections();
      await new Promise((r) => control.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const reason = postfixUnavailable();
  if (reason) throw new Error(`Postfix cannot run here: ${reason}`);
  const postfix = await startPostfix();
  const { close: _close, ...info } = postfix;
  console.log(JSON.stringify(info));
  const stop = () => postfix.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
