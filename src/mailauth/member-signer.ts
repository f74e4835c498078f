/**
 * Many DKIM-Signatures (RFC 6376 section 5) over one precomputed body hash and one shared header
 * section, each with a few fields of its own on top: a list's member copies. The same bytes as
 * mailauth's DkimSigner (signWithBodyHash), for less work per copy:
 *
 * - the shared header section is parsed once per signer, not once per copy;
 * - the RSA signature is made by WebCrypto (`crypto.subtle.sign`) with a key imported once.
 *   In workerd, `node:crypto`'s sign (what mailauth calls) is measured at about 0.6x the rate of
 *   `crypto.subtle.sign` for the same RSA-2048 key (bench/relay-bench.mjs, "sign floor");
 * - the PEM is not turned back into a Buffer and a string per copy (mailauth's getPrivateKey).
 *
 * The header canonicalisation, the h= selection and the formatting stay mailauth's own functions,
 * and RSASSA-PKCS1-v1_5 is deterministic (RFC 8017 section 8.2), so the first copy is signed both
 * ways and compared: any difference (a mailauth upgrade, an unusual key or domain) and the signer
 * falls back to mailauth for every copy.
 */
import { Buffer } from "node:buffer";
import nodeCrypto from "node:crypto";
import { generateCanonicalizedHeader } from "mailauth/lib/dkim/header";
import { formatSignatureHeaderLine, getSigningHeaderLines, parseHeaders } from "mailauth/lib/tools";
import { type DkimSigningKey, signWithBodyHash } from "./dkim-sign";

export interface BodyHashSignerInput {
  /** The header fields shared by every copy (CRLF-terminated lines, binary string). */
  sharedFields: string;
  bodyHash: string;
  headerList: readonly string[];
  key: DkimSigningKey;
  signTime: Date;
  canonicalization: string;
}

/** Signs one copy: `ownFields` (CRLF-terminated lines) go on top of the shared fields. */
export type SignCopy = (ownFields: string) => Promise<string>;

/** WebCrypto keys per PEM text: a fan-out page signs with one key, a few pages share it. */
const MAX_WEB_KEYS = 8;
const webKeys = new Map<string, Promise<CryptoKey | null>>();

/**
 * The PEM as a WebCrypto RSASSA-PKCS1-v1_5 SHA-256 key, or null when WebCrypto cannot sign as
 * mailauth would (not RSA, or shorter than the 1,024 bits RFC 8301 section 3.2 requires).
 */
function webKeyFor(pem: string): Promise<CryptoKey | null> {
  let key = webKeys.get(pem);
  if (!key) {
    key = (async () => {
      const parsed = nodeCrypto.createPrivateKey({ key: pem, format: "pem" });
      const bits = parsed.asymmetricKeyDetails?.modulusLength ?? 0;
      if (parsed.asymmetricKeyType !== "rsa" || bits < 1024) return null;
      const der = parsed.export({ format: "der", type: "pkcs8" }) as Buffer;
      return crypto.subtle.importKey("pkcs8", der, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
    })().catch(() => null);
    if (webKeys.size >= MAX_WEB_KEYS) webKeys.delete(webKeys.keys().next().value as string);
    webKeys.set(pem, key);
  }
  return key;
}

/** One copy's signature made with mailauth's pieces and WebCrypto's RSA. */
async function signFast(
  input: BodyHashSignerInput,
  shared: ReturnType<typeof parseHeaders>["parsed"],
  webKey: CryptoKey,
  ownFields: string,
): Promise<string> {
  const parsed = [...parseHeaders(Buffer.from(ownFields, "binary")).parsed, ...shared];
  const lines = getSigningHeaderLines(parsed, input.headerList.join(":"));
  // The options DkimSigner.finalize passes for a DKIM signature with no i=, l= or x=.
  const { canonicalizedHeader, dkimHeaderOpts } = generateCanonicalizedHeader("DKIM", lines, {
    signingDomain: input.key.domain,
    selector: input.key.selector,
    type: "DKIM",
    maxBodyLength: "",
    instance: false,
    identity: false,
    algorithm: "rsa-sha256",
    canonicalization: input.canonicalization,
    signTime: input.signTime,
    timestamp: Math.floor(input.signTime.getTime() / 1000),
    expiration: false,
    bodyHash: input.bodyHash,
  });
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", webKey, canonicalizedHeader);
  dkimHeaderOpts.b = Buffer.from(signature).toString("base64");
  return `${formatSignatureHeaderLine("DKIM", dkimHeaderOpts, true)}\r\n`;
}

/**
 * A signer for many copies. Keys WebCrypto cannot use as mailauth would (Ed25519, an `a=` other
 * than rsa-sha256), and any copy where the two ways differ, are signed by mailauth.
 */
export async function createBodyHashSigner(input: BodyHashSignerInput): Promise<SignCopy> {
  const slow: SignCopy = (ownFields) =>
    signWithBodyHash({
      header: ownFields + input.sharedFields,
      bodyHash: input.bodyHash,
      headerList: input.headerList,
      key: input.key,
      signTime: input.signTime,
      canonicalization: input.canonicalization,
    });
  const rsaSha256 = !input.key.algorithm || input.key.algorithm === "rsa-sha256";
  const webKey = rsaSha256 ? await webKeyFor(input.key.privateKeyPem) : null;
  if (!webKey) return slow;
  const shared = parseHeaders(Buffer.from(input.sharedFields, "binary")).parsed;
  let checked: Promise<boolean> | undefined;
  return async (ownFields) => {
    if (!checked) {
      const check = Promise.all([slow(ownFields), signFast(input, shared, webKey, ownFields).catch(() => "")]);
      checked = check.then(([a, b]) => a === b).catch(() => false);
      return (await check)[0];
    }
    return (await checked) ? signFast(input, shared, webKey, ownFields) : slow(ownFields);
  };
}
