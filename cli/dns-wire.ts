// Just enough of the DNS wire format (RFC 1035 section 4) for `facteur dns check`: a query for
// one name and type, and the TXT and MX answers, over DNS-over-HTTPS (RFC 8484, POST).
const TYPES = { MX: 15, TXT: 16 } as const;
export type RecordType = keyof typeof TYPES;

export function encodeQuery(name: string, type: RecordType): Uint8Array {
  const labels = name.replace(/\.$/, "").split(".");
  const bytes: number[] = [0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]; // id 0 (RFC 8484 4.1), RD, QDCOUNT 1
  for (const label of labels) {
    const octets = new TextEncoder().encode(label);
    bytes.push(octets.length, ...octets);
  }
  bytes.push(0, 0, TYPES[type], 0, 1);
  return new Uint8Array(bytes);
}

function skipName(msg: Uint8Array, offset: number): number {
  let i = offset;
  while (i < msg.length) {
    const len = msg[i]!;
    if (len === 0) return i + 1;
    if ((len & 0xc0) === 0xc0) return i + 2; // compression pointer (RFC 1035 4.1.4)
    i += len + 1;
  }
  throw new Error("truncated name");
}

function readName(msg: Uint8Array, offset: number, depth = 0): string {
  if (depth > 20) throw new Error("compression loop");
  const labels: string[] = [];
  let i = offset;
  while (msg[i] !== 0) {
    const len = msg[i]!;
    if ((len & 0xc0) === 0xc0)
      return [...labels, readName(msg, ((len & 0x3f) << 8) | msg[i + 1]!, depth + 1)].filter(Boolean).join(".");
    labels.push(new TextDecoder().decode(msg.subarray(i + 1, i + 1 + len)));
    i += len + 1;
  }
  return labels.join(".");
}

/** The answers of the asked type: TXT strings joined (RFC 7208 3.3), MX as "priority exchange". */
export function decodeAnswers(msg: Uint8Array, type: RecordType): { rcode: number; answers: string[] } {
  const view = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  const rcode = view.getUint16(2) & 0xf;
  const qd = view.getUint16(4);
  const an = view.getUint16(6);
  let i = 12;
  for (let q = 0; q < qd; q++) i = skipName(msg, i) + 4;
  const answers: string[] = [];
  for (let a = 0; a < an; a++) {
    i = skipName(msg, i);
    const rtype = view.getUint16(i);
    const rdlength = view.getUint16(i + 8);
    const rdata = i + 10;
    if (rtype === TYPES[type] && type === "TXT") {
      let j = rdata;
      let text = "";
      while (j < rdata + rdlength) {
        text += new TextDecoder().decode(msg.subarray(j + 1, j + 1 + msg[j]!));
        j += msg[j]! + 1;
      }
      answers.push(text);
    } else if (rtype === TYPES[type] && type === "MX") {
      answers.push(`${view.getUint16(rdata)} ${readName(msg, rdata + 2)}`);
    }
    i = rdata + rdlength;
  }
  return { rcode, answers };
}

export async function resolve(dohUrl: string, name: string, type: RecordType): Promise<string[]> {
  const response = await fetch(dohUrl, {
    method: "POST",
    headers: { "content-type": "application/dns-message", accept: "application/dns-message" },
    body: encodeQuery(name, type),
  });
  if (!response.ok) throw new Error(`DoH ${dohUrl} answered ${response.status}`);
  const { rcode, answers } = decodeAnswers(new Uint8Array(await response.arrayBuffer()), type);
  if (rcode !== 0 && rcode !== 3) throw new Error(`DNS error rcode ${rcode} for ${name} ${type}`);
  return answers;
}
