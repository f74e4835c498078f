#!/usr/bin/env node
// A stand-in `wrangler` for the deploy tests: it keeps a Cloudflare account in a JSON file
// ($FAKE_WRANGLER_STATE), records every call ($FAKE_WRANGLER_LOG, one JSON line each) and prints
// what wrangler 4.156.2 prints for the same command (its --json shapes, its messages and exit codes).
import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

const statePath = process.env.FAKE_WRANGLER_STATE;
const state = JSON.parse(readFileSync(statePath, "utf8"));
const argv = process.argv.slice(2);
appendFileSync(process.env.FAKE_WRANGLER_LOG, `${JSON.stringify({ args: argv, ci: process.env.CI ?? null })}\n`);
const out = (text) => process.stdout.write(`${text}\n`);
const save = () => writeFileSync(statePath, JSON.stringify(state, null, 2));
const fail = (message) => {
  process.stderr.write(`\n✘ [ERROR] ${message}\n\n`);
  save();
  process.exit(1);
};
const flag = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const valueFlags = ["-c", "--tag", "--secrets-file", "--message-retention-period-secs", "--format"];
const positional = argv.filter((arg, i) => !arg.startsWith("-") && !valueFlags.includes(argv[i - 1]));
const command = positional.join(" ");
// Injected failures: the first call whose words start with one of state.failOnce fails once.
const injected = (state.failOnce ?? []).find((prefix) => command.startsWith(prefix));
if (injected) {
  state.failOnce = state.failOnce.filter((p) => p !== injected);
  fail(`A request to the Cloudflare API (${command}) failed. Internal server error [code: 10001]`);
}
const needAuth = () => {
  if (!state.loggedIn)
    fail(
      "In a non-interactive environment, it's necessary to set a CLOUDFLARE_API_TOKEN environment variable for wrangler to work.",
    );
};
const configFile = () => {
  const path = resolve(flag("-c"));
  const toml = readFileSync(path, "utf8");
  const get = (key) => toml.match(new RegExp(`^${key}\\s*=\\s*"([^"]*)"`, "m"))?.[1];
  const addresses = JSON.parse(toml.match(/^addresses\s*=\s*(\[.*\])/m)?.[1] ?? "[]");
  return { path, toml, get, addresses, dir: dirname(path) };
};
const database = (config) => {
  const id = config.get("database_id");
  const db = state.d1.find((d) => d.uuid === id);
  if (!db) fail(`Couldn't find DB with name '${positional[3]}' (database_id ${id}) [code: 7404]`);
  return db;
};

const [a, b, c] = positional;
if (command === "whoami") {
  if (!state.loggedIn) {
    out(JSON.stringify({ loggedIn: false }));
    process.exit(1);
  }
  out(
    JSON.stringify({
      loggedIn: true,
      authType: "User API Token",
      email: "ops@example.com",
      accounts: state.accounts,
      tokenPermissions: [],
    }),
  );
} else if (a === "d1" && b === "list") {
  needAuth();
  out(JSON.stringify(state.d1, null, 2));
} else if (a === "d1" && b === "create") {
  needAuth();
  if (state.d1.some((d) => d.name === c)) fail(`A database with that name already exists [code: 7502]`);
  const db = {
    uuid: randomUUID(),
    name: c,
    created_at: new Date().toISOString(),
    version: "production",
    num_tables: 0,
    file_size: 0,
    applied: [],
  };
  state.d1.push(db);
  out(`✅ Successfully created DB '${c}' in region WEUR\nCreated your new D1 database.`);
} else if (a === "d1" && b === "migrations") {
  needAuth();
  const config = configFile();
  const db = database(config);
  const dir = config.get("migrations_dir");
  const pending = readdirSync(dir)
    .filter((f) => f.endsWith(".sql") && !db.applied.includes(f))
    .sort();
  if (pending.length === 0) out("✅ No migrations to apply!");
  else {
    out(`Migrations to be applied:\n┌${"─".repeat(40)}┐\n│ name${" ".repeat(34)} │`);
    for (const name of pending) out(`│ ${name.padEnd(38)} │`);
    out(`└${"─".repeat(40)}┘`);
    if (c === "apply") {
      for (const name of pending) {
        db.applied.push(name);
        out(`│ ${name} │ ✅ │`);
      }
    }
  }
} else if (a === "r2" && b === "bucket" && c === "list") {
  needAuth();
  out(
    `Listing buckets...\n${state.r2.map((n) => `name:           ${n}\ncreation_date:  2026-12-01T08:00:00.000Z`).join("\n\n")}`,
  );
} else if (a === "r2" && b === "bucket" && c === "create") {
  needAuth();
  const name = positional[3];
  if (state.r2.includes(name)) fail(`The bucket you tried to create already exists, and you own it. [code: 10004]`);
  state.r2.push(name);
  out(`Creating bucket '${name}'...\n✅ Created bucket '${name}' with default storage class of Standard.`);
} else if (a === "queues" && (b === "info" || b === "update")) {
  needAuth();
  const queue = state.queues[c];
  if (!queue) fail(`Queue "${c}" does not exist. To create it, run: wrangler queues create ${c}`);
  if (b === "update") {
    queue.retention = Number(flag("--message-retention-period-secs"));
    out(`Updating queue ${c}...\nUpdated queue ${c}`);
  } else out(`Queue Name: ${c}\nQueue ID: ${queue.id}\nCreated On: 2026-12-01T08:00:00Z`);
} else if (a === "queues" && b === "create") {
  needAuth();
  if (state.queues[c]) fail(`Queue name '${c}' is already taken. Please use a different name. [code: 11009]`);
  state.queues[c] = {
    id: randomUUID().replaceAll("-", ""),
    retention: Number(flag("--message-retention-period-secs") ?? 345600),
  };
  out(`🌀 Creating queue '${c}'\n✅ Created queue '${c}'`);
} else if (a === "secret" && b === "list") {
  needAuth();
  if (!state.worker)
    fail(`Worker "facteur" not found.\n\nIf this is a new Worker, run \`wrangler deploy\` first to create it.`);
  out(
    JSON.stringify(
      Object.keys(state.worker.secrets).map((name) => ({ name, type: "secret_text" })),
      null,
      "  ",
    ),
  );
} else if (a === "deployments" && b === "status") {
  needAuth();
  if (!state.worker?.version) fail("The Worker facteur has no deployments.");
  out(
    JSON.stringify(
      {
        id: randomUUID(),
        source: "wrangler",
        strategy: "percentage",
        versions: [{ version_id: state.worker.version.id, percentage: 100 }],
        annotations: {},
      },
      null,
      2,
    ),
  );
} else if (a === "versions" && b === "view") {
  needAuth();
  if (state.worker?.version?.id !== c) fail(`Version ${c} not found [code: 10218]`);
  out(
    JSON.stringify(
      { id: c, metadata: {}, annotations: { "workers/tag": state.worker.version.tag }, resources: {} },
      null,
      2,
    ),
  );
} else if (a === "email" && b === "routing" && (c === "settings" || c === "enable" || c === "dns")) {
  needAuth();
  const domain = c === "dns" ? positional[4] : positional[3];
  const zone = state.zones[domain];
  if (!zone) fail(`Could not find zone for \`${domain}\`. Make sure the domain exists in your account.`);
  if (c === "enable") {
    zone.enabled = true;
    out(`Email Routing enabled for ${domain} (status: ready)`);
  } else if (c === "settings") {
    out(
      `Email Routing for ${domain}:\n  Enabled:  ${zone.enabled}\n  Status:   ${zone.enabled ? "ready" : "unconfigured"}\n  Tag:      ${zone.tag}`,
    );
  } else {
    for (const [i, host] of ["route1", "route2", "route3"].entries()) {
      out(
        `MX record:\n  Name:     ${domain}\n  Content:  ${host}.mx.cloudflare.net\n  Priority: ${[13, 86, 24][i]}\n  TTL:      1\n`,
      );
    }
    out(`TXT record:\n  Name:     ${domain}\n  Content:  v=spf1 include:_spf.mx.cloudflare.net ~all\n  TTL:      1\n`);
  }
} else if (a === "deploy") {
  needAuth();
  const config = configFile();
  database(config);
  const required = JSON.parse(`[${config.toml.match(/^required\s*=\s*\[([^\]]*)\]/m)[1]}]`);
  const file = flag("--secrets-file");
  const given = file && existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  const missing = required.filter((s) => !(s in given) && !state.worker?.secrets[s]);
  if (!state.worker && missing.length) fail(`The following required secrets have not been set: ${missing.join(", ")}`);
  state.worker ??= { secrets: {} };
  Object.assign(state.worker.secrets, given);
  state.worker.version = { id: randomUUID(), tag: flag("--tag") ?? null };
  state.deploys = (state.deploys ?? 0) + 1;
  out(`Total Upload: 3465.61 KiB / gzip: 796.10 KiB\nUploaded facteur (4.12 sec)`);
  const rules = [];
  for (const address of config.addresses) {
    const domain = address.slice(2);
    if (!state.zones[domain]) fail(`Could not find zone for \`${domain}\`.`);
    const current = state.zones[domain].catchAll;
    if (current !== "worker:facteur") rules.push(`${domain}\n  + ${address} -> worker (facteur)`);
    state.zones[domain].catchAll = "worker:facteur";
  }
  out(
    rules.length
      ? `Email Routing plan:\n${rules.join("\n")}\nEmail Routing addresses applied.`
      : "Email Routing rules are up to date.",
  );
  out(
    `Deployed facteur triggers (1.02 sec)\n  ${process.env.FAKE_WORKER_URL ?? "https://facteur.ops-example.workers.dev"}\n  schedule: */15 * * * *\nCurrent Version ID: ${state.worker.version.id}`,
  );
} else {
  fail(`Unknown arguments: ${argv.join(" ")}`);
}
save();
