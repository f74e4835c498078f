// Reads what already exists in the Cloudflare account, through wrangler's own commands (their --json
// output where they have one). Nothing here changes anything.

import { stripVTControlCharacters } from "node:util";
import { WranglerError } from "./wrangler.mjs";

const stripAnsi = (text) => stripVTControlCharacters(text);

/** `wrangler whoami --json`: who we are, or exactly which credential is missing. */
export function probeAuth(wrangler, env, config) {
  const result = wrangler(["whoami", "--json"]);
  let who;
  try {
    who = JSON.parse(result.stdout.trim() || "{}");
  } catch {
    who = { loggedIn: false };
  }
  if (!who.loggedIn) {
    return {
      ok: false,
      missing: "CLOUDFLARE_API_TOKEN",
      why: "wrangler is not authenticated: set CLOUDFLARE_API_TOKEN to an API token (permissions in README, Deploying) or run `npx wrangler login`",
    };
  }
  const accounts = who.accounts ?? [];
  const chosen = env.CLOUDFLARE_ACCOUNT_ID ?? config.account_id;
  if (!chosen && accounts.length > 1) {
    return {
      ok: false,
      missing: "CLOUDFLARE_ACCOUNT_ID",
      why: `this login can use ${accounts.length} accounts; set CLOUDFLARE_ACCOUNT_ID to one of: ${accounts.map((a) => `${a.id} (${a.name})`).join(", ")}`,
    };
  }
  return { ok: true, email: who.email, accountId: chosen ?? accounts[0]?.id ?? null };
}

/** `wrangler d1 list --json` → the database's uuid, or null. */
export function probeDatabase(wrangler, name) {
  const result = wrangler(["d1", "list", "--json"]);
  if (result.status !== 0) throw new WranglerError("listing D1 databases", result);
  const list = JSON.parse(result.stdout);
  return list.find((db) => db.name === name)?.uuid ?? null;
}

/** `wrangler r2 bucket list` prints `name: …` / `creation_date: …` blocks (it has no --json). */
export function probeBucket(wrangler, name) {
  const result = wrangler(["r2", "bucket", "list"]);
  if (result.status !== 0) throw new WranglerError("listing R2 buckets", result);
  const names = [...stripAnsi(result.stdout).matchAll(/^name:\s+(\S+)/gm)].map((m) => m[1]);
  return names.includes(name);
}

/** `wrangler queues info NAME`: exit 0 with `Queue Name:`, or `Queue "NAME" does not exist.` */
export function probeQueue(wrangler, name) {
  const result = wrangler(["queues", "info", name]);
  if (result.status === 0) return true;
  if (/does not exist/.test(stripAnsi(`${result.stderr}${result.stdout}`))) return false;
  throw new WranglerError(`looking up queue ${name}`, result);
}

/** `wrangler secret list --format json` → names; a Worker that does not exist yet has none. */
export function probeSecrets(wrangler, configPath) {
  const result = wrangler(["secret", "list", "--format", "json", "-c", configPath]);
  if (result.status !== 0) {
    if (/not found/.test(stripAnsi(`${result.stderr}${result.stdout}`))) return { workerExists: false, names: [] };
    throw new WranglerError("listing secrets", result);
  }
  const list = JSON.parse(result.stdout.slice(result.stdout.indexOf("[")));
  return { workerExists: true, names: list.map((s) => s.name) };
}

/** `wrangler d1 migrations list DB --remote`: the names of migrations not applied yet. */
export function probeMigrations(wrangler, database, configPath) {
  const result = wrangler(["d1", "migrations", "list", database, "--remote", "-c", configPath]);
  if (result.status !== 0) throw new WranglerError("listing remote migrations", result);
  const out = stripAnsi(result.stdout);
  if (/No migrations to apply/.test(out)) return [];
  return [...new Set([...out.matchAll(/(\d{4}_[\w-]+\.sql)/g)].map((m) => m[1]))];
}

/** The tag (`workers/tag`) of the version currently deployed, or null when nothing is deployed. */
export function probeDeployedTag(wrangler, configPath) {
  const status = wrangler(["deployments", "status", "--json", "-c", configPath]);
  if (status.status !== 0) return null;
  const deployment = JSON.parse(status.stdout);
  const versionId = deployment.versions?.find((v) => v.percentage === 100)?.version_id;
  if (!versionId) return null;
  const view = wrangler(["versions", "view", versionId, "--json", "-c", configPath]);
  if (view.status !== 0) throw new WranglerError("reading the deployed version", view);
  return JSON.parse(view.stdout).annotations?.["workers/tag"] ?? null;
}

/** `wrangler email routing settings DOMAIN` prints `Enabled:  true|false`. */
export function probeRouting(wrangler, domain) {
  const result = wrangler(["email", "routing", "settings", domain]);
  if (result.status !== 0) {
    const text = stripAnsi(`${result.stderr}\n${result.stdout}`);
    if (!/Could not find zone/.test(text))
      throw new WranglerError(`reading Email Routing settings of ${domain}`, result);
    return { zone: false, enabled: false, error: `wrangler: ${text.match(/Could not find zone[^\n]*/)[0]}` };
  }
  return { zone: true, enabled: /Enabled:\s+true/.test(stripAnsi(result.stdout)) };
}

/** `wrangler email routing dns get DOMAIN`: the records Email Routing needs, as wrangler prints them. */
export function probeRoutingDns(wrangler, domain) {
  const result = wrangler(["email", "routing", "dns", "get", domain]);
  if (result.status !== 0) return [];
  const records = [];
  for (const block of stripAnsi(result.stdout).split(/\n(?=\S+ record:)/)) {
    const type = block.match(/^(\S+) record:/m)?.[1];
    if (!type) continue;
    const field = (label) => block.match(new RegExp(`^\\s+${label}:\\s+(.*)$`, "m"))?.[1]?.trim();
    records.push({ type, name: field("Name"), content: field("Content"), priority: field("Priority") });
  }
  return records;
}
