/** fast-check generators shared by the property tests: RFC 5322 / RFC 5321 shaped addresses. */
import fc from "fast-check";

const ATEXT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*/=?^_`{|}~-";

/** An atom (RFC 5322 section 3.2.3) of 1..12 atext characters, '+' excluded (subaddress separator). */
export const atom = fc.string({ unit: fc.constantFrom(...ATEXT), minLength: 1, maxLength: 12 });

/** A dot-atom local part without '+', at most 64 octets (RFC 5321 section 4.5.3.1.1). */
export const localPart = fc
  .array(atom, { minLength: 1, maxLength: 4 })
  .map((atoms) => atoms.join("."))
  .filter((l) => l.length <= 64);

/** A subaddress tag (RFC 5233): atext, may itself contain '+' and '.' inside. */
export const tag = fc
  .string({ unit: fc.constantFrom(..."abcXYZ019-_=+."), minLength: 1, maxLength: 10 })
  .filter((t) => !t.startsWith(".") && !t.endsWith(".") && !t.includes(".."));

const LDH = "abcdefghijklmnopqrstuvwxyz0123456789-";
/** An LDH label (RFC 1035 section 2.3.1), in mixed case. */
export const label = fc
  .string({ unit: fc.constantFrom(...LDH, "A", "Z", "Q"), minLength: 1, maxLength: 20 })
  .filter((l) => !l.startsWith("-") && !l.endsWith("-") && !/^xn--/i.test(l) && !/^..--/.test(l));

/** A host name with 2..4 labels and an alphabetic top-level label. */
export const domain = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom("test", "example", "COM", "org", "io"))
  .map(([labels, tld]) => [...labels, tld].join("."));

export const address = fc.tuple(localPart, domain).map(([l, d]) => `${l}@${d}`);
