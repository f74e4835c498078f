/**
 * DKIM signing (RFC 6376 section 5) by mailauth's signer: a whole message, or, for list copies
 * that differ only in a few header fields, a precomputed body hash plus the header fields.
 *
 * mailauth's DkimSigner accepts a precomputed `bodyHash` and parsed `headers`; calling
 * `finalize()` directly skips streaming the body through it. Per copy this costs one parse of
 * the header fields, their relaxed canonicalisation and one RSA (or Ed25519) signature: the
 * body, however large, is hashed once (dkimBodyHash) and never read again.
 */
import { Buffer } from "node:buffer";
import type { DKIMSignError } from "mailauth";
import { dkimBody } from "mailauth/lib/dkim/body";
import { DkimSigner } from "mailauth/lib/dkim/dkim-signer";
import { dkimSign } from "mailauth/lib/dkim/sign";
import { parseHeaders } from "mailauth/lib/tools";

export interface DkimSigningKey {
  /** d= (RFC 6376 section 3.5). */
  domain: string;
  /** s= */
  selector: string;
  privateKeyPem: string;
  /** a=; mailauth follows the key type when absent. */
  algorithm?: string;
}

export interface DkimSignature {
  /** DKIM-Signature field(s), each ending with CRLF; empty when none could be made. */
  signatures: string;
  errors: DKIMSignError[];
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Signs a whole message. `canonicalization` left out means mailauth's default (relaxed/relaxed). */
export async function signDkim(
  message: Uint8Array,
  key: DkimSigningKey,
  options: { signTime: Date; canonicalization?: string },
): Promise<DkimSignature> {
  const result = await dkimSign(asBuffer(message), {
    ...(options.canonicalization ? { canonicalization: options.canonicalization } : {}),
    signTime: options.signTime,
    signatureData: [
      {
        signingDomain: key.domain,
        selector: key.selector,
        privateKey: key.privateKeyPem,
        ...(key.algorithm ? { algorithm: key.algorithm } : {}),
      },
    ],
  } as unknown as Parameters<typeof dkimSign>[1]);
  return { signatures: result.signatures ?? "", errors: result.errors ?? [] };
}

/** bh= for a body (RFC 6376 section 3.7), base64, relaxed canonicalization and sha256 by default. */
export function dkimBodyHash(body: Uint8Array, canonicalization = "relaxed", hashAlgo = "sha256"): string {
  const hasher = dkimBody(canonicalization, hashAlgo, false);
  hasher.update(asBuffer(body));
  return hasher.digest("base64");
}

/**
 * The fields of a header section (binary string) named in `names`, as mailauth parses them, each
 * line ending with CRLF: what a signature over those names covers (RFC 6376 section 5.4).
 */
export function pickHeaderFields(header: string, names: readonly string[]): string {
  const wanted = new Set(names.map((h) => h.toLowerCase()));
  return parseHeaders(Buffer.from(header, "binary"))
    .parsed.filter((f) => wanted.has(f.key))
    .map((f) => `${f.line.toString("binary")}\r\n`)
    .join("");
}

/**
 * A DKIM-Signature field (CRLF-terminated) over `header` (CRLF-terminated field lines, binary
 * string) and a body whose hash is `bodyHash`. Throws when mailauth produces no signature.
 */
export async function signWithBodyHash(input: {
  header: string;
  bodyHash: string;
  headerList: readonly string[];
  key: DkimSigningKey;
  signTime: Date;
  canonicalization: string;
}): Promise<string> {
  const { key } = input;
  const dkim = new DkimSigner({
    signatureData: [{ signingDomain: key.domain, selector: key.selector, privateKey: key.privateKeyPem }],
    bodyHash: input.bodyHash,
    headers: parseHeaders(Buffer.from(input.header, "binary")),
    headerList: [...input.headerList],
    signTime: input.signTime,
    canonicalization: input.canonicalization,
  });
  await dkim.finalize();
  const line = dkim.signatureHeaders[0];
  if (!line) {
    const reason = dkim.errors.map((e) => e.err?.message).join("; ") || "no signature produced";
    throw new Error(`DKIM signing for ${key.domain} failed: ${reason}`);
  }
  return `${line}\r\n`;
}
