/**
 * Facteur's destinations table against the account's Email Routing destination addresses (shared by
 * every domain, at most 200: DESIGN.md). Pure. An address Facteur wants that Cloudflare does not have
 * is created there (Cloudflare mails it a verification link); Cloudflare's verified status is the
 * truth, read back into the table.
 */
export const ADDRESS_LIMIT = 200;
/** Warn once this share of the limit is used. */
const WARN_AT = 0.9;

export interface FacteurDestination {
  address: string;
  verified: boolean;
}

export interface CloudflareAddress {
  email: string;
  /** Cloudflare's verification time, null while unverified. */
  verified: string | null;
}

export interface DestinationChange {
  action: "create" | "mark-verified" | "mark-unverified" | "pending" | "keep" | "over-limit";
  address: string;
  note?: string;
}

export function planDestinations(facteur: FacteurDestination[], cloudflare: CloudflareAddress[]) {
  const byEmail = new Map(cloudflare.map((a) => [a.email.toLowerCase(), a]));
  const changes: DestinationChange[] = [];
  const warnings: string[] = [];
  let used = cloudflare.length;
  for (const row of facteur) {
    const remote = byEmail.get(row.address.toLowerCase());
    if (!remote) {
      if (used >= ADDRESS_LIMIT) {
        changes.push({
          action: "over-limit",
          address: row.address,
          note: `the account has ${ADDRESS_LIMIT} destination addresses, Cloudflare's limit`,
        });
        continue;
      }
      used++;
      changes.push({ action: "create", address: row.address, note: "Cloudflare mails it a verification link" });
      if (row.verified)
        changes.push({ action: "mark-unverified", address: row.address, note: "not a destination in Cloudflare" });
    } else if (remote.verified && !row.verified) changes.push({ action: "mark-verified", address: row.address });
    else if (!remote.verified && row.verified)
      changes.push({ action: "mark-unverified", address: row.address, note: "not verified in Cloudflare yet" });
    else changes.push({ action: remote.verified ? "keep" : "pending", address: row.address });
  }
  if (used >= ADDRESS_LIMIT * WARN_AT) {
    warnings.push(
      `${used} of ${ADDRESS_LIMIT} Email Routing destination addresses used in this account (the limit is shared by every domain)`,
    );
  }
  return { changes, warnings, used };
}
