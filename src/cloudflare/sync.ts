/**
 * Keeps Cloudflare in step with Facteur for one domain: DNS records (plan-dns.ts), Email Routing
 * destination addresses (plan-destinations.ts) and routing to this Worker (plan-routing.ts). Each
 * section reads, plans, then (unless dry run) applies its changes; a section that fails (a token
 * without that permission: 403) is reported and the others still run.
 */
import { upsertDestination } from "../store/destinations";
import { listDkimKeys } from "../store/dkim-keys";
import { findReportSettings } from "../store/report-settings";
import { findSyncDomain, listDestinationStates, listServedAddresses } from "../store/sync-inputs";
import { type CloudflareClient, cloudflareClient } from "./client";
import { type DestinationChange, planDestinations } from "./plan-destinations";
import { type DnsChange, MANAGED, planDns, type ZoneRecord } from "./plan-dns";
import { planRouting, type RoutingChange } from "./plan-routing";
import { relaySpfInclude } from "./relay-spf";
import { reportingRecords } from "./reporting-records";

export interface SyncEnv {
  DB: D1Database;
  RELAY_URL: string;
  CLOUDFLARE_API_TOKEN?: string;
  /** The API base (tests point it at a local stand-in). */
  CLOUDFLARE_API_BASE_URL?: string;
  /** This Worker's name in the account, the target of the catch-all rule (default "facteur"). */
  CLOUDFLARE_WORKER_NAME?: string;
  /** SPF include of an SMTP relay (mailgun:// knows its own). */
  RELAY_SPF_INCLUDE?: string;
}

export interface SectionError {
  section: "zone" | "dns" | "destinations" | "routing";
  status: number | null;
  message: string;
}

export interface SyncReport {
  domain: string;
  dry_run: boolean;
  zone_id: string | null;
  dns: DnsChange[];
  destinations: DestinationChange[];
  routing: RoutingChange[];
  warnings: string[];
  errors: SectionError[];
  /** Changes made (0 on a dry run or when everything was in place). */
  applied: number;
}

/** Which token permission each section needs (README, "Cloudflare sync"). */
const PERMISSIONS: Record<SectionError["section"], string> = {
  zone: "Zone: Zone Read",
  dns: "Zone: DNS Edit",
  destinations: "Account: Email Routing Addresses Edit",
  routing: "Zone: Email Routing Rules Edit and Zone Settings Edit",
};

export class SyncUnavailable extends Error {}

export async function syncClient(env: SyncEnv): Promise<CloudflareClient> {
  if (!env.CLOUDFLARE_API_TOKEN) throw new SyncUnavailable("CLOUDFLARE_API_TOKEN is not set (README, Cloudflare sync)");
  return cloudflareClient({ apiToken: env.CLOUDFLARE_API_TOKEN, baseURL: env.CLOUDFLARE_API_BASE_URL });
}

export async function syncDomain(env: SyncEnv, name: string, options: { dryRun: boolean; client?: CloudflareClient }) {
  const cf = options.client ?? (await syncClient(env));
  const domain = await findSyncDomain(env.DB, name);
  if (!domain) return null;
  const report: SyncReport = {
    domain: domain.name,
    dry_run: options.dryRun,
    zone_id: null,
    dns: [],
    destinations: [],
    routing: [],
    warnings: [],
    errors: [],
    applied: 0,
  };
  const section = async (which: SectionError["section"], run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      const status = (error as { status?: number }).status ?? null;
      const message = status === 403 ? `the token lacks ${PERMISSIONS[which]}` : (error as Error).message;
      report.errors.push({ section: which, status, message });
    }
  };
  let accountId: string | null = null;
  await section("zone", async () => {
    for await (const zone of cf.zones.list({ name: domain.name })) {
      report.zone_id = zone.id;
      accountId = zone.account.id ?? null;
      break;
    }
    if (!report.zone_id) throw new Error(`${domain.name} is not a zone this token can see`);
  });
  const zoneId = report.zone_id;
  if (!zoneId) return report;
  const apply = !options.dryRun;

  await section("dns", async () => {
    const records: ZoneRecord[] = [];
    for await (const r of cf.dns.records.list({ zone_id: zoneId, per_page: 100 })) {
      records.push({ id: r.id, type: r.type, name: r.name, content: String(r.content ?? ""), comment: r.comment });
    }
    const relayInclude = relaySpfInclude(domain.relayUrl ?? env.RELAY_URL, env.RELAY_SPF_INCLUDE);
    const settings = await findReportSettings(env.DB, domain.name);
    report.dns = planDns({
      domain: domain.name,
      keys: await listDkimKeys(env.DB, domain.name),
      relayInclude,
      records,
      ...(await reportingRecords(domain.name, settings)),
    });
    if (!apply) return;
    for (const change of report.dns) {
      const record = {
        zone_id: zoneId,
        type: "TXT" as const,
        name: change.name,
        content: change.content,
        ttl: 1,
        comment: MANAGED,
      };
      if (change.action === "create") await cf.dns.records.create(record);
      else if (change.action === "update") await cf.dns.records.update(change.id!, record);
      else if (change.action === "delete") await cf.dns.records.delete(change.id!, { zone_id: zoneId });
      else if (change.action === "email-routing-dns")
        await cf.emailRouting.dns.create({ zone_id: zoneId, name: domain.name });
      else continue;
      report.applied++;
    }
  });

  await section("destinations", async () => {
    if (!accountId) throw new Error("the zone's account is unknown");
    const remote: { email: string; verified: string | null }[] = [];
    for await (const a of cf.emailRouting.addresses.list({ account_id: accountId, per_page: 50 })) {
      remote.push({ email: a.email ?? "", verified: a.verified ?? null });
    }
    const plan = planDestinations(await listDestinationStates(env.DB), remote);
    report.destinations = plan.changes;
    report.warnings.push(...plan.warnings);
    if (!apply) return;
    for (const change of plan.changes) {
      if (change.action === "create")
        await cf.emailRouting.addresses.create({ account_id: accountId, email: change.address });
      else if (change.action === "mark-verified") await upsertDestination(env.DB, change.address, true).run();
      else if (change.action === "mark-unverified") await upsertDestination(env.DB, change.address, false).run();
      else continue;
      report.applied++;
    }
  });

  await section("routing", async () => {
    const worker = env.CLOUDFLARE_WORKER_NAME || "facteur";
    const settings = await cf.emailRouting.get({ zone_id: zoneId });
    const catchAll = await cf.emailRouting.rules.catchAlls.get({ zone_id: zoneId });
    const rules = [];
    for await (const rule of cf.emailRouting.rules.list({ zone_id: zoneId })) rules.push(rule);
    const plan = planRouting({
      enabled: settings.enabled,
      catchAll,
      rules,
      worker,
      handled: await listServedAddresses(env.DB, domain.name),
    });
    report.routing = plan.changes;
    report.warnings.push(...plan.warnings);
    if (!apply) return;
    for (const change of plan.changes) {
      if (change.action === "enable") await cf.emailRouting.enable({ zone_id: zoneId });
      else if (change.action === "set-catch-all") {
        await cf.emailRouting.rules.catchAlls.update({
          zone_id: zoneId,
          name: "Facteur",
          enabled: true,
          matchers: [{ type: "all" }],
          actions: [{ type: "worker", value: [worker] }],
        });
      } else continue;
      report.applied++;
    }
  });
  return report;
}
