/**
 * The MTA-STS policy a domain publishes (RFC 8461 section 3.2) and the `_mta-sts` TXT record
 * announcing it (section 3.1). Senders fetch the policy from
 * https://mta-sts.<domain>/.well-known/mta-sts.txt and cache it until the record's id changes,
 * so the id is derived from the policy text: it changes exactly when the policy does.
 */
import type { MtaStsMode } from "../store/report-settings";

/** Where senders fetch the policy (RFC 8461 section 3.3). */
export const MTA_STS_PATH = "/.well-known/mta-sts.txt";

export interface MtaStsPolicy {
  mode: MtaStsMode;
  mx: readonly string[];
  maxAge: number;
}

/** The policy file: key/value lines ended by CRLF (section 3.2, `sts-policy-term`). */
export function mtaStsPolicyText(policy: MtaStsPolicy): string {
  const lines = [
    "version: STSv1",
    `mode: ${policy.mode}`,
    ...policy.mx.map((host) => `mx: ${host}`),
    `max_age: ${policy.maxAge}`,
  ];
  return lines.map((line) => `${line}\r\n`).join("");
}

/** The `id` of the TXT record: 1 to 32 letters and digits (section 3.1); here 20 hex digits of SHA-256. */
export async function mtaStsPolicyId(policyText: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(policyText)));
  return [...digest.subarray(0, 10)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function mtaStsRecord(id: string): string {
  return `v=STSv1; id=${id}`;
}

/** The domain from an mta-sts.<domain> host name, lower-cased; null for any other host. */
export function mtaStsDomain(host: string): string | null {
  const name = host.toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
  return name.startsWith("mta-sts.") && name.length > "mta-sts.".length ? name.slice("mta-sts.".length) : null;
}
