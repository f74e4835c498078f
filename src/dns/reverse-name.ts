/**
 * The PTR question for an address: in-addr.arpa for IPv4 (RFC 1035 section 3.5), nibbles under
 * ip6.arpa for IPv6 (RFC 3596 section 2.5). null for text that is not an address.
 */
import { ipv4ToBytes, ipv6ToBytes } from "./ip-text";

export function reverseName(ip: string): string | null {
  try {
    if (ip.includes(":")) {
      const nibbles: string[] = [];
      for (const byte of ipv6ToBytes(ip)) nibbles.push((byte >> 4).toString(16), (byte & 15).toString(16));
      return `${nibbles.reverse().join(".")}.ip6.arpa`;
    }
    return `${[...ipv4ToBytes(ip)].reverse().join(".")}.in-addr.arpa`;
  } catch {
    return null;
  }
}
