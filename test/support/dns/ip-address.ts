/**
 * Text → octets for the A and AAAA record data a test zone serves: the same parser Facteur uses
 * (src/dns/ip-text.ts); src/dns/ip-address.ts reads them back.
 */
export { ipv4ToBytes, ipv6ToBytes } from "../../../src/dns/ip-text";
