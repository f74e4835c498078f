/**
 * Octets → text for the A (RFC 1035 section 3.4.1) and AAAA (RFC 3596 section 2.2) record data.
 * IPv6 text is written in the RFC 5952 section 4 canonical form, as Node's resolver returns it.
 * (Text → octets is the test zone server's: test/support/dns/ip-address.ts.)
 */

export function bytesToIpv4(bytes: Uint8Array): string {
  return Array.from(bytes).join(".");
}

export function bytesToIpv6(bytes: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  // RFC 5952 section 4.2: shorten the longest run of two or more zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}
