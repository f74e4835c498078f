// The plan: one step per thing deploy owns, each either already right ("ok") or an action with the
// exact wrangler command it will run. Built from what probe.mjs observed; applying it is deploy.mjs.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { probeBucket, probeDeployedTag, probeMigrations, probeQueue, probeSecrets } from "./probe.mjs";

/** Queues keep messages 14 days (Cloudflare's maximum), so they outlive GIVE_UP_DAYS of retries. */
export const QUEUE_RETENTION_SECONDS = 14 * 24 * 3600;

/** The optional secret of Cloudflare sync, uploaded from deploy's environment when it is not set. */
export const SYNC_TOKEN = "CLOUDFLARE_API_TOKEN";

/**
 * @typedef {{id: string, title: string, action: string | null, command?: string[], blocker?: string}} Step
 * action null: nothing to do. blocker: something only a person can do first.
 */

/** Every step, without looking at the account: what a dry run without credentials prints. */
export function unknownPlan(root, declared, config) {
  const migrations = listMigrations(root);
  return [
    { id: "d1", title: `D1 database "${declared.database}"`, action: "create if missing (wrangler d1 create)" },
    { id: "r2", title: `R2 bucket "${declared.bucket}"`, action: "create if missing (wrangler r2 bucket create)" },
    ...declared.queues.map((q) => ({
      id: `queue:${q}`,
      title: `queue "${q}"`,
      action: `create if missing, with ${QUEUE_RETENTION_SECONDS} s (14 days) retention`,
    })),
    {
      id: "secrets",
      title: `secrets ${declared.secrets.join(", ")}`,
      action: "generate the ones not set yet (never overwrite); ADMIN_TOKEN printed once",
    },
    {
      id: "sync-token",
      title: `secret ${SYNC_TOKEN} (Cloudflare sync)`,
      action: "upload the one in the environment if it is not a secret yet (never overwrite, never print)",
    },
    { id: "migrations", title: "remote D1 migrations", action: `apply the pending ones of ${migrations.length}` },
    ...config.domains.map((d) => ({ id: `routing:${d}`, title: `Email Routing on ${d}`, action: "enable if off" })),
    {
      id: "deploy",
      title: `Worker "${declared.worker}"`,
      action: `deploy if changed; Email Routing rules ${config.domains.map((d) => `*@${d}`).join(", ") || "(no domain yet)"} → this Worker`,
    },
  ];
}

export function listMigrations(root) {
  return readdirSync(join(root, "migrations")).filter((f) => /^\d{4}_.*\.sql$/.test(f));
}

/** Looks at the account and returns the steps, plus what was observed (ids, secret names). */
export function buildPlan(wrangler, ctx) {
  const { declared, config, deployConfigPath, tag } = ctx;
  const steps = [];
  const seen = {};
  seen.databaseId = ctx.databaseId;
  steps.push({
    id: "d1",
    title: `D1 database "${declared.database}"`,
    action: seen.databaseId ? null : "create",
    detail: seen.databaseId ?? undefined,
    command: ["d1", "create", declared.database],
  });
  const bucket = probeBucket(wrangler, declared.bucket);
  steps.push({
    id: "r2",
    title: `R2 bucket "${declared.bucket}"`,
    action: bucket ? null : "create",
    command: ["r2", "bucket", "create", declared.bucket],
  });
  const retention = config.resources.queue_retention ?? {};
  for (const queue of declared.queues) {
    const exists = probeQueue(wrangler, queue);
    const flag = ["--message-retention-period-secs", String(QUEUE_RETENTION_SECONDS)];
    const retained = retention[queue] === QUEUE_RETENTION_SECONDS;
    steps.push({
      id: `queue:${queue}`,
      title: `queue "${queue}"`,
      action: !exists ? "create (14-day retention)" : retained ? null : "set 14-day retention",
      command: exists ? ["queues", "update", queue, ...flag] : ["queues", "create", queue, ...flag],
    });
  }
  const secrets = probeSecrets(wrangler, deployConfigPath);
  seen.workerExists = secrets.workerExists;
  seen.missingSecrets = declared.secrets.filter((s) => !secrets.names.includes(s));
  steps.push({
    id: "secrets",
    title: `secrets ${declared.secrets.join(", ")}`,
    action: seen.missingSecrets.length ? `generate ${seen.missingSecrets.join(", ")} (uploaded with the deploy)` : null,
  });
  // Cloudflare sync (README) reads CLOUDFLARE_API_TOKEN as a secret: the token deploy runs with is
  // uploaded when it is not one yet. An existing secret is never overwritten; the value is never printed.
  const tokenIsSecret = secrets.names.includes(SYNC_TOKEN);
  seen.uploadToken = Boolean(ctx.env?.[SYNC_TOKEN]) && !tokenIsSecret;
  if (ctx.env?.[SYNC_TOKEN] || tokenIsSecret) {
    steps.push({
      id: "sync-token",
      title: `secret ${SYNC_TOKEN} (Cloudflare sync)`,
      action: seen.uploadToken ? "upload the one in the environment (uploaded with the deploy)" : null,
      detail: tokenIsSecret ? "already a secret, kept" : undefined,
    });
  }
  const pending = seen.databaseId
    ? probeMigrations(wrangler, declared.database, deployConfigPath)
    : listMigrations(ctx.root);
  steps.push({
    id: "migrations",
    title: "remote D1 migrations",
    action: pending.length ? `apply ${pending.join(", ")}` : null,
    command: ["d1", "migrations", "apply", declared.database, "--remote", "-c", deployConfigPath],
  });
  for (const domain of config.domains) {
    const routing = ctx.routing[domain];
    steps.push({
      id: `routing:${domain}`,
      title: `Email Routing on ${domain}`,
      action: routing.zone && !routing.enabled ? "enable" : null,
      blocker: routing.zone ? undefined : `add ${domain} to this Cloudflare account as a zone first (${routing.error})`,
      command: ["email", "routing", "enable", domain],
    });
  }
  seen.deployedTag = seen.workerExists ? probeDeployedTag(wrangler, deployConfigPath) : null;
  const stale = seen.deployedTag !== tag;
  const addresses = ctx.routedDomains.map((d) => `*@${d}`).join(", ");
  steps.push({
    id: "deploy",
    title: `Worker "${declared.worker}"`,
    action:
      stale || seen.missingSecrets.length || seen.uploadToken
        ? `deploy${seen.deployedTag ? " (code or configuration changed)" : ""}${addresses ? `; wrangler reconciles Email Routing rules ${addresses} → this Worker` : ""}`
        : null,
    detail: stale ? undefined : `version ${tag} is deployed`,
  });
  return { steps, seen };
}

export function printPlan(steps, log) {
  for (const step of steps) {
    const mark = step.blocker ? "!" : step.action ? "+" : "=";
    const what = step.blocker ?? step.action ?? `up to date${step.detail ? ` (${step.detail})` : ""}`;
    log(`  ${mark} ${step.title}: ${what}`);
  }
}
