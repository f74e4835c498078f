/**
 * The cron's Cloudflare sync: every enabled domain, applied, when CLOUDFLARE_API_TOKEN is set.
 * Without the token it does nothing (sync is optional). Warnings and section errors are logged.
 */

import { type SyncEnv, syncClient, syncDomain } from "../cloudflare/sync";
import { log } from "../core/log";
import { listSyncDomains } from "../store/sync-inputs";

export const syncCloudflare = {
  name: "sync-cloudflare",
  description: "keep DNS records, destination addresses and Email Routing in step with Facteur",
  async run(env: SyncEnv, _now: number): Promise<number> {
    if (!env.CLOUDFLARE_API_TOKEN) return 0;
    const client = await syncClient(env);
    let applied = 0;
    for (const domain of await listSyncDomains(env.DB)) {
      const report = await syncDomain(env, domain.name, { dryRun: false, client });
      if (!report) continue;
      applied += report.applied;
      for (const warning of report.warnings)
        log({ stage: "scheduled", unit: "sync-cloudflare", outcome: "warning", domain: domain.name, warning });
      for (const error of report.errors)
        log({ stage: "scheduled", unit: "sync-cloudflare", outcome: "failed", domain: domain.name, ...error });
    }
    return applied;
  },
};
