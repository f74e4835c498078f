#!/usr/bin/env node
// `npm run deploy`: Facteur on Cloudflare in one idempotent command (README, Deploying).
//   npm run deploy -- [--dry-run] [--domain example.com ...] [--config facteur.config.json]
// It checks the account through wrangler, prints the plan, creates what is missing (D1, R2, queues
// with 14-day retention), generates the secrets not set yet, applies the remote migrations, deploys
// with Email Routing `addresses` for each domain, and prints what is left for a person. A second run
// changes nothing and says so; a run that failed half-way is resumed by running it again.
import { rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  normalizeDomain,
  readConfig,
  readDeclared,
  renderDeployConfig,
  writeConfig,
  writeDeployConfig,
} from "./deploy/config.mjs";
import { fingerprint } from "./deploy/fingerprint.mjs";
import { buildPlan, printPlan, QUEUE_RETENTION_SECONDS, SYNC_TOKEN, unknownPlan } from "./deploy/plan.mjs";
import { probeAuth, probeDatabase, probeRouting, probeSecrets } from "./deploy/probe.mjs";
import { registerDomains } from "./deploy/register.mjs";
import { printLeft } from "./deploy/report.mjs";
import { writeSecretsFile } from "./deploy/secrets.mjs";
import { WranglerError, wranglerRunner } from "./deploy/wrangler.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const log = (line = "") => process.stdout.write(`${line}\n`);

let args;
try {
  args = parseArgs({
    options: {
      "dry-run": { type: "boolean", default: false },
      domain: { type: "string", multiple: true, default: [] },
      config: { type: "string", default: join(root, "facteur.config.json") },
      help: { type: "boolean", default: false },
    },
  }).values;
} catch (error) {
  console.error(`deploy: ${error.message}`);
  process.exit(2);
}
if (args.help) {
  log("npm run deploy -- [--dry-run] [--domain example.com ...] [--config facteur.config.json]");
  process.exit(0);
}
const dryRun = args["dry-run"];
const configPath = resolve(args.config);
const deployConfigPath = join(dirname(configPath), ".wrangler", "deploy-facteur.toml");
const { config } = readConfig(configPath);
for (const value of args.domain) {
  const domain = normalizeDomain(value);
  if (!domain) {
    console.error(`deploy: "${value}" is not a domain name`);
    process.exit(2);
  }
  if (!config.domains.includes(domain)) config.domains.push(domain);
}
const declared = readDeclared(root);
log(`Facteur deploy${dryRun ? " (dry run: nothing is changed)" : ""}: Worker "${declared.worker}"`);

let wrangler = wranglerRunner(root);
const auth = probeAuth(wrangler, process.env, config);
if (!auth.ok) {
  log("\nPlan (not checked against an account: no credentials):");
  printPlan(unknownPlan(root, declared, config), log);
  log(`\nMissing credential: ${auth.missing}`);
  log(`  ${auth.why}`);
  process.exit(dryRun ? 0 : 1);
}
if (auth.accountId) {
  wrangler = wranglerRunner(root, { ...process.env, CLOUDFLARE_ACCOUNT_ID: auth.accountId });
  config.account_id = auth.accountId;
}
log(`Account ${auth.accountId ?? "(default)"}${auth.email ? `, as ${auth.email}` : ""}`);

const save = () => {
  if (!dryRun) writeConfig(configPath, config);
};
const routing = Object.fromEntries(config.domains.map((d) => [d, probeRouting(wrangler, d)]));
const blocked = config.domains.filter((d) => !routing[d].zone);
const routedDomains = config.domains.filter((d) => routing[d].zone);
// Only the domains whose zone is in the account get an `addresses` entry; a missing zone would
// make wrangler's Email Routing plan fail after the upload.
const render = () => {
  const text = renderDeployConfig(root, declared, { ...config, domains: routedDomains });
  writeDeployConfig(deployConfigPath, text);
  return fingerprint(root, text);
};
const databaseId = probeDatabase(wrangler, declared.database);
if (databaseId) config.resources.d1_database_id = databaseId;
let tag = render();
const ctx = { root, declared, config, deployConfigPath, tag, databaseId, routing, routedDomains, env: process.env };
const { steps, seen } = buildPlan(wrangler, ctx);
log("\nPlan:");
printPlan(steps, log);
const todo = steps.filter((s) => s.action && !s.blocker);
if (todo.length === 0) {
  save();
  log("\nNothing to change: everything is already in place.");
  printLeft({ wrangler, config, blocked, registered: await register(null), log });
  process.exit(0);
}
if (dryRun) {
  log(`\nDry run: ${todo.length} change(s) planned, nothing changed.`);
  process.exit(0);
}

const run = (what, command) => {
  log(`→ ${what}: wrangler ${command.join(" ")}`);
  const result = wrangler(command);
  if (result.status !== 0) throw new WranglerError(what, result);
  return result;
};
const secretsFile = join(dirname(deployConfigPath), `secrets-${process.pid}.json`);
let generated = {};
let tokenSet = false;
try {
  for (const step of todo) {
    if (step.id === "d1") {
      run(step.title, step.command);
      config.resources.d1_database_id = probeDatabase(wrangler, declared.database);
      save();
      tag = render();
    } else if (step.id.startsWith("queue:")) {
      run(step.title, step.command);
      config.resources.queue_retention = {
        ...config.resources.queue_retention,
        [step.id.slice(6)]: QUEUE_RETENTION_SECONDS,
      };
      save();
    } else if (step.id === "deploy") {
      const command = ["deploy", "-c", deployConfigPath, "--tag", tag];
      if (seen.missingSecrets.length || seen.uploadToken) {
        const given = seen.uploadToken ? { [SYNC_TOKEN]: process.env[SYNC_TOKEN] } : {};
        generated = writeSecretsFile(secretsFile, seen.missingSecrets, given);
        command.push("--secrets-file", secretsFile);
      }
      try {
        const result = run(step.title, command);
        // wrangler prints the Worker's URL under "Deployed <name> triggers".
        const deployed = result.stdout.slice(result.stdout.indexOf("Deployed"));
        config.url = deployed.match(/https?:\/\/[^\s/]+/)?.[0] ?? config.url;
        save();
      } finally {
        rmSync(secretsFile, { force: true });
        announceToken();
      }
    } else if (step.command) {
      run(step.title, step.command);
    }
  }
} catch (error) {
  log(`\n✗ ${error.message}`);
  log("Nothing done so far is lost: re-run `npm run deploy` to resume (finished steps are checked, not redone).");
  process.exit(1);
}
log("\nDone.");
printLeft({ wrangler, config, blocked, registered: await register(tokenSet ? generated.ADMIN_TOKEN : null), log });

/** With a token (the one just generated, or FACTEUR_TOKEN), each domain is registered through the API. */
async function register(newToken) {
  const token = newToken ?? process.env.FACTEUR_TOKEN;
  const url = process.env.FACTEUR_URL ?? config.url;
  if (!token || !url || routedDomains.length === 0) return {};
  return registerDomains({ url, token, domains: routedDomains });
}

/** ADMIN_TOKEN is shown once, and only when Cloudflare has it (even if the deploy failed after the upload). */
function announceToken() {
  if (!generated.ADMIN_TOKEN) return;
  const now = probeSecrets(wrangler, deployConfigPath);
  if (!now.names.includes("ADMIN_TOKEN")) return;
  tokenSet = true;
  log(`\nADMIN_TOKEN (shown once, keep it in a password manager): ${generated.ADMIN_TOKEN}`);
}
