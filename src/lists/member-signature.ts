/**
 * One member's DKIM-Signature (RFC 6376 section 5), made from the shared header section, the
 * member's own fields and the body hash computed once per post (transform/handlers/dkim-sign.ts).
 *
 * mailauth's DkimSigner accepts a precomputed `bodyHash` and parsed `headers`; calling
 * `finalize()` directly skips streaming the body through it. Per member this costs one parse of
 * the header section, its relaxed canonicalisation and one RSA (or Ed25519) signature: the body,
 * however large, is never read again (figures in the lists report / bench).
 */
import "../authenticate/node-compat";
import crypto from "node:crypto";
import { DkimSigner } from "mailauth/lib/dkim/dkim-signer";
import { parseHeaders } from "mailauth/lib/tools";

/**
 * mailauth's signer turns the PEM into a key object on every signature, and in workerd that parse
 * (2.2 ms measured) costs more than the RSA-2048 signature itself (1.6 ms). workerd's
 * createPrivateKey does not accept a KeyObject, so the parse is memoised instead: the same PEM
 * string always yields the same immutable key. Bounded: a fan-out page uses one key.
 */
const PARSED_KEYS_LIMIT = 8;
const parsedKeys = new Map<string, crypto.KeyObject>();
const memo = Symbol.for("facteur.private-key-memo");
const patchable = crypto as unknown as { createPrivateKey: typeof crypto.createPrivateKey; [memo]?: boolean };
if (!patchable[memo]) {
  const original = crypto.createPrivateKey.bind(crypto);
  patchable.createPrivateKey = ((input: Parameters<typeof crypto.createPrivateKey>[0]) => {
    const material = typeof input === "object" && input !== null && "key" in input ? input.key : null;
    const pem =
      typeof material === "string"
        ? material
        : material instanceof Uint8Array
          ? Buffer.from(material).toString("latin1")
          : null;
    if (pem === null || (input as { format?: string }).format !== "pem") return original(input);
    let key = parsedKeys.get(pem);
    if (!key) {
      key = original(input);
      if (parsedKeys.size >= PARSED_KEYS_LIMIT) parsedKeys.delete(parsedKeys.keys().next().value as string);
      parsedKeys.set(pem, key);
    }
    return key;
  }) as typeof crypto.createPrivateKey;
  patchable[memo] = true;
}

export interface MemberSigner {
  /**
   * The stored header section reduced to the fields the signature covers (RFC 6376 section 5.4:
   * only h= fields enter the hash), done once per page so each member parses a few hundred bytes
   * instead of the whole header with its ARC set and Received trail.
   */
  signedFields: string;
  domain: string;
  selector: string;
  /** PEM; parsed once thanks to the memo above. */
  privateKeyPem: string;
  bodyHash: string;
  headerList: string[];
  signTime: Date;
}

export function createMemberSigner(input: {
  /** The stored header section (binary string). */
  sharedHeader: string;
  domain: string;
  selector: string;
  privateKeyPem: string;
  bodyHash: string;
  headerList: string[];
  signTime: Date;
}): MemberSigner {
  const wanted = new Set(input.headerList.map((h) => h.toLowerCase()));
  const fields = parseHeaders(Buffer.from(input.sharedHeader, "binary")).parsed.filter((f) => wanted.has(f.key));
  const signedFields = fields.map((f) => `${f.line.toString("binary")}\r\n`).join("");
  const { sharedHeader: _shared, ...rest } = input;
  return { ...rest, signedFields };
}

/**
 * The DKIM-Signature field (CRLF-terminated) for one copy: `memberFields` (CRLF-terminated
 * lines, e.g. List-Unsubscribe) go on top of the shared header the signer was made with.
 */
export async function signMemberCopy(signer: MemberSigner, memberFields: string): Promise<string> {
  const headers = parseHeaders(Buffer.from(memberFields + signer.signedFields, "binary"));
  const dkim = new DkimSigner({
    signatureData: [{ signingDomain: signer.domain, selector: signer.selector, privateKey: signer.privateKeyPem }],
    bodyHash: signer.bodyHash,
    headers,
    headerList: signer.headerList,
    signTime: signer.signTime,
    canonicalization: "relaxed/relaxed",
  });
  await dkim.finalize();
  const line = dkim.signatureHeaders[0];
  if (!line) {
    const reason = dkim.errors.map((e) => e.err?.message).join("; ") || "no signature produced";
    throw new Error(`DKIM signing for ${signer.domain} failed: ${reason}`);
  }
  return `${line}\r\n`;
}
