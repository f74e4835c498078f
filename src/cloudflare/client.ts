/**
 * The Cloudflare API calls sync makes, over `fetch` (api.ts). Every parameter and result is typed
 * with the official SDK's own types (`cloudflare` on npm, generated from Cloudflare's OpenAPI
 * document): no request shape is typed by hand. The imports are type-only, erased at build, so
 * none of the SDK's modules runs in the Worker. Loading them inside the vitest workers pool made
 * every later test file fail to start (WebSocket 1009 "Message is too large"); the bundle is also
 * smaller without them. Paths, and which params go in the path, query or body, follow the SDK's
 * resource methods of the pinned version (7.3.0).
 */
import type {
  RecordCreateParams,
  RecordDeleteParams,
  RecordDeleteResponse,
  RecordListParams,
  RecordResponse,
  RecordUpdateParams,
} from "cloudflare/resources/dns/records";
import type { Address, AddressCreateParams, AddressListParams } from "cloudflare/resources/email-routing/addresses";
import type { DNSCreateParams } from "cloudflare/resources/email-routing/dns";
import type {
  EmailRoutingEnableParams,
  EmailRoutingGetParams,
  Settings,
} from "cloudflare/resources/email-routing/email-routing";
import type {
  CatchAllGetParams,
  CatchAllGetResponse,
  CatchAllUpdateParams,
  CatchAllUpdateResponse,
} from "cloudflare/resources/email-routing/rules/catch-alls";
import type { EmailRoutingRule, RuleListParams } from "cloudflare/resources/email-routing/rules/rules";
import type { Zone, ZoneListParams } from "cloudflare/resources/zones/zones";
import { type CloudflareOptions, cloudflareTransport } from "./api";

export { CLOUDFLARE_API, CloudflareApiError, type CloudflareOptions } from "./api";

/** The list filters used here: flat query params (api.ts encodes scalars only). */
type Paging = "page" | "per_page";

export function cloudflareClient(options: CloudflareOptions) {
  const api = cloudflareTransport(options);
  const zone = (id: string) => `/zones/${encodeURIComponent(id)}`;
  const account = (id: string) => `/accounts/${encodeURIComponent(id)}`;
  return {
    zones: {
      list: (query: Pick<ZoneListParams, Paging | "name" | "status"> = {}) => api.list<Zone>("/zones", query),
    },
    dns: {
      records: {
        list: ({ zone_id, ...query }: Pick<RecordListParams, Paging | "zone_id" | "type">) =>
          api.list<RecordResponse>(`${zone(zone_id)}/dns_records`, query),
        create: ({ zone_id, ...body }: RecordCreateParams) =>
          api.request<RecordResponse>("POST", `${zone(zone_id)}/dns_records`, { body }),
        update: (id: string, { zone_id, ...body }: RecordUpdateParams) =>
          api.request<RecordResponse>("PUT", `${zone(zone_id)}/dns_records/${encodeURIComponent(id)}`, { body }),
        delete: (id: string, { zone_id }: RecordDeleteParams) =>
          api.request<RecordDeleteResponse>("DELETE", `${zone(zone_id)}/dns_records/${encodeURIComponent(id)}`),
      },
    },
    emailRouting: {
      get: ({ zone_id }: EmailRoutingGetParams) => api.request<Settings>("GET", `${zone(zone_id)}/email/routing`),
      enable: ({ zone_id }: EmailRoutingEnableParams) =>
        api.request<Settings>("POST", `${zone(zone_id)}/email/routing/enable`),
      dns: {
        create: ({ zone_id, ...body }: DNSCreateParams) =>
          api.request<Settings>("POST", `${zone(zone_id)}/email/routing/dns`, { body }),
      },
      rules: {
        list: ({ zone_id, ...query }: Pick<RuleListParams, Paging | "enabled"> & { zone_id: string }) =>
          api.list<EmailRoutingRule>(`${zone(zone_id)}/email/routing/rules`, query),
        catchAlls: {
          get: ({ zone_id }: CatchAllGetParams) =>
            api.request<CatchAllGetResponse>("GET", `${zone(zone_id)}/email/routing/rules/catch_all`),
          update: ({ zone_id, ...body }: CatchAllUpdateParams) =>
            api.request<CatchAllUpdateResponse>("PUT", `${zone(zone_id)}/email/routing/rules/catch_all`, { body }),
        },
      },
      addresses: {
        list: ({ account_id, ...query }: Pick<AddressListParams, Paging | "account_id" | "verified" | "direction">) =>
          api.list<Address>(`${account(account_id)}/email/routing/addresses`, query),
        create: ({ account_id, ...body }: AddressCreateParams) =>
          api.request<Address>("POST", `${account(account_id)}/email/routing/addresses`, { body }),
      },
    },
  };
}

export type CloudflareClient = ReturnType<typeof cloudflareClient>;
