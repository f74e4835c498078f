// What is left for a person once the machine part is done, with exact values.
import { probeRoutingDns } from "./probe.mjs";

export function printLeft({ wrangler, config, blocked, registered = {}, log }) {
  const url = config.url ?? "https://facteur.<your-subdomain>.workers.dev";
  const lines = [];
  for (const domain of blocked)
    lines.push(`Add ${domain} to your Cloudflare account (dashboard → Add a domain), then re-run npm run deploy.`);
  for (const domain of config.domains.filter((d) => !blocked.includes(d))) {
    const done = registered[domain];
    lines.push(`${domain}:`);
    if (done?.records) {
      lines.push(`  1. in Facteur: domain ${done.registered}, DKIM key ${done.dkim}.`);
      lines.push(
        `  2. DNS records to publish (what GET ${url}/api/v1/domains/${domain}/dkim lists; Email Routing adds its MX itself while the zone's MX are locked; add your relay's include: to SPF):`,
      );
      for (const r of done.records) {
        lines.push(
          `       ${r.type.padEnd(4)} ${r.name}  ${r.content}${r.priority ? `  (priority ${r.priority})` : ""}`,
        );
      }
      continue;
    }
    if (done?.error) lines.push(`  (could not register it through the API: ${done.error})`);
    lines.push(`  1. register it in Facteur and make its DKIM key (or re-run deploy with FACTEUR_TOKEN set):`);
    lines.push(`       FACTEUR_URL=${url} FACTEUR_TOKEN=<ADMIN_TOKEN> npx facteur domains add ${domain}`);
    lines.push(`       curl -X POST -H "Authorization: Bearer <ADMIN_TOKEN>" ${url}/api/v1/domains/${domain}/dkim`);
    lines.push(`  2. DNS records (Email Routing adds its MX and SPF itself while the zone's MX are locked):`);
    // Email Routing's own SPF record is printed once below, merged with the relay's include.
    for (const r of probeRoutingDns(wrangler, domain).filter((r) => !r.content?.startsWith("v=spf1"))) {
      lines.push(`       ${r.type.padEnd(4)} ${r.name}  ${r.content}${r.priority ? `  (priority ${r.priority})` : ""}`);
    }
    lines.push(`       TXT  ${domain}  v=spf1 include:_spf.mx.cloudflare.net include:<your relay's SPF> ~all`);
    lines.push(`       TXT  <selector>._domainkey.${domain}  the value from GET ${url}/api/v1/domains/${domain}/dkim`);
    lines.push(`       TXT  _dmarc.${domain}  v=DMARC1; p=none; rua=mailto:dmarc-reports@${domain}`);
  }
  if (config.domains.length === 0) {
    lines.push("No domain is configured: npm run deploy -- --domain example.com routes its mail to Facteur.");
  }
  // Email Sending publishes its lifecycle events only to a subscription per sending domain (zone
  // id + domain): the queue is created above; the subscription is the operator's once Email Sending
  // is enabled on the domain (README, Email Sending events).
  lines.push("Email Sending events (with RELAY_URL=cloudflare: and Email Sending on a domain): subscribe the queue,");
  lines.push(
    "  npx wrangler queues subscription create facteur-sending-events --source email.sending --events message.delivered,message.deferred,message.bounced,message.failed,message.rejected,message.complained --zone-id <zone id> --domain <domain>",
  );
  lines.push("Destinations: each address verified in Email Routing (Cloudflare mails it a link) is reached with");
  lines.push(`  forward(); tell Facteur with POST ${url}/api/v1/destinations. Others need RELAY_URL (README, Relays).`);
  log("\nLeft for you:");
  for (const line of lines) log(`  ${line}`);
}
