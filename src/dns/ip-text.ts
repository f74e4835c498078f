/**
 * Text → octets for IPv4 (RFC 1035 section 3.4.1) and IPv6 (RFC 4291 section 2.2: "::" and an
 * embedded IPv4 address) addresses: PTR names of report sources, SPF ip4:/ip6: terms, and the
 * records a test zone serves. src/dns/ip-address.ts reads octets back as text.
 */

export function ipv4ToBytes(text: string): Uint8Array {
  const parts = text.split(".");
  if (parts.length !== 4) throw new RangeError(`not an IPv4 address: ${text}`);
  return Uint8Array.from(parts, (part) => {
    if (!/^(?:0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) throw new RangeError(`not an IPv4 address: ${text}`);
    return Number(part);
  });
}

export function ipv6ToBytes(text: string): Uint8Array {
  const invalid = () => new RangeError(`not an IPv6 address: ${text}`);
  let hexText = text;
  if (text.includes(".")) {
    // An embedded IPv4 address in the last 32 bits (RFC 4291 section 2.2, form 3) is two groups.
    const lastColon = text.lastIndexOf(":");
    if (lastColon < 0) throw invalid();
    const v4 = ipv4ToBytes(text.slice(lastColon + 1));
    const high = ((v4[0]! << 8) | v4[1]!).toString(16);
    const low = ((v4[2]! << 8) | v4[3]!).toString(16);
    hexText = `${text.slice(0, lastColon + 1)}${high}:${low}`;
  }
  const halves = hexText.split("::");
  if (halves.length > 2) throw invalid();
  const parse = (part: string) =>
    part === ""
      ? []
      : part.split(":").map((group) => {
          if (!/^[0-9a-fA-F]{1,4}$/.test(group)) throw invalid();
          return Number.parseInt(group, 16);
        });
  const left = parse(halves[0] ?? "");
  const right = halves.length === 2 ? parse(halves[1] ?? "") : [];
  let groups = left;
  if (halves.length === 2) {
    const missing = 8 - left.length - right.length;
    if (missing < 1) throw invalid();
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  }
  if (groups.length !== 8) throw invalid();
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}
