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
import { DkimSigner } from "mailauth/lib/dkim/dkim-signer";
import { parseHeaders } from "mailauth/lib/tools";

export interface MemberSigner {
  domain: string;
  selector: string;
  /** PEM; mailauth's signer parses it per call (measured: small next to the RSA signature). */
  privateKeyPem: string;
  bodyHash: string;
  headerList: string[];
  signTime: Date;
}

export function createMemberSigner(input: {
  domain: string;
  selector: string;
  privateKeyPem: string;
  bodyHash: string;
  headerList: string[];
  signTime: Date;
}): MemberSigner {
  return { ...input };
}

/**
 * The DKIM-Signature field (CRLF-terminated) for one copy: `memberFields` (CRLF-terminated
 * lines, e.g. List-Unsubscribe) go on top of `sharedHeader` (the stored header section, binary
 * string, blank line excluded or included).
 */
export async function signMemberCopy(
  signer: MemberSigner,
  memberFields: string,
  sharedHeader: string,
): Promise<string> {
  const headers = parseHeaders(Buffer.from(memberFields + sharedHeader.replace(/(?:\r?\n)+$/, "\r\n"), "binary"));
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
