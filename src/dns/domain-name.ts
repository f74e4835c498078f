import { dnsError } from "./types";

/** RFC 1035 section 2.3.4: a label is at most 63 octets. */
const MAX_LABEL_OCTETS = 63;
/** RFC 1035 section 2.3.4: a name is at most 255 octets on the wire, length octets and root included. */
export const MAX_NAME_OCTETS = 255;

const utf8 = new TextEncoder();

/**
 * The labels of a presentation-format name as octets, checked against RFC 1035 section 2.3.4.
 * A trailing dot (fully qualified form) is accepted; "" and "." are the root. Anything that cannot
 * be a DNS name throws EBADNAME, which mailauth handles as an invalid domain (RFC 7208 section 4.3),
 * so a zone and the wire agree on which names exist at all. Labels are not escaped: mailauth converts
 * U-labels to A-labels (RFC 8616 section 3) before asking, so names are LDH text in practice.
 */
export function nameToLabels(name: string): Uint8Array[] {
  const text = name.endsWith(".") ? name.slice(0, -1) : name;
  if (text === "") return [];
  const labels = text.split(".").map((label) => utf8.encode(label));
  let wireOctets = 1; // the root label
  for (const label of labels) {
    if (label.length === 0) throw dnsError("EBADNAME", name, "empty label");
    if (label.length > MAX_LABEL_OCTETS) throw dnsError("EBADNAME", name, "label longer than 63 octets");
    wireOctets += 1 + label.length;
  }
  if (wireOctets > MAX_NAME_OCTETS) throw dnsError("EBADNAME", name, "name longer than 255 octets");
  return labels;
}

/**
 * The canonical key of a name: validated, lower case (DNS compares ASCII case-insensitively,
 * RFC 4343), without the trailing dot.
 */
export function canonicalName(name: string): string {
  nameToLabels(name);
  const text = name.endsWith(".") ? name.slice(0, -1) : name;
  return text.toLowerCase();
}
