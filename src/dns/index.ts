/**
 * Facteur's DNS layer, the injected resolver every mailauth check uses (DESIGN.md): DNS over HTTPS
 * in production and `wrangler dev`. Tests declare a zone instead (test/support/dns/zone.ts).
 */
export { createDnsCache, type DnsCache, type DnsCacheOptions, defaultDnsCache } from "./cache";
export { createDohResolver, type DohResolverOptions } from "./doh";
export { type DnsError, type DnsErrorCode, dnsError, type Resolver } from "./types";
