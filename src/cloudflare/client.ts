/**
 * Cloudflare's official TypeScript SDK (`cloudflare`), which supports the Workers runtime, through
 * its tree-shakable client: only the resources sync uses are bundled. No request shape is typed by
 * hand here; every call and field is the SDK's. It retries 429 (honouring Retry-After) and 5xx.
 */
import { BaseRecords } from "cloudflare/resources/dns/records";
import { BaseAddresses } from "cloudflare/resources/email-routing/addresses";
import { BaseDNS } from "cloudflare/resources/email-routing/dns";
import { BaseEmailRouting } from "cloudflare/resources/email-routing/email-routing";
import { BaseCatchAlls } from "cloudflare/resources/email-routing/rules/catch-alls";
import { BaseRules } from "cloudflare/resources/email-routing/rules/rules";
import { BaseZones } from "cloudflare/resources/zones/zones";
import { createClient } from "cloudflare/tree-shakable";

export const CLOUDFLARE_API = "https://api.cloudflare.com/client/v4";

export interface CloudflareOptions {
  apiToken: string;
  baseURL?: string;
  maxRetries?: number;
}

export function cloudflareClient(options: CloudflareOptions) {
  return createClient({
    apiToken: options.apiToken,
    baseURL: options.baseURL || CLOUDFLARE_API,
    maxRetries: options.maxRetries ?? 3,
    resources: [BaseZones, BaseRecords, BaseEmailRouting, BaseDNS, BaseRules, BaseCatchAlls, BaseAddresses],
  });
}

export type CloudflareClient = ReturnType<typeof cloudflareClient>;
