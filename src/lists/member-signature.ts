/**
 * One member's DKIM-Signature (RFC 6376 section 5), made from the shared header section, the
 * member's own fields and the body hash computed once per post (transform/handlers/body-hash.ts).
 * Per member this costs a parse of a few header fields, their relaxed canonicalisation and one
 * signature: the body, however large, is never read again (figures in the lists report / bench).
 * The private key PEM is parsed once, not per member (mailauth/crypto-compat.ts).
 */
import { pickHeaderFields, signWithBodyHash } from "../mailauth";

export interface MemberSigner {
  /**
   * The stored header section reduced to the fields the signature covers (RFC 6376 section 5.4:
   * only h= fields enter the hash), done once per page so each member parses a few hundred bytes
   * instead of the whole header with its ARC set and Received trail.
   */
  signedFields: string;
  domain: string;
  selector: string;
  /** PEM; parsed once (mailauth/crypto-compat.ts). */
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
  const signedFields = pickHeaderFields(input.sharedHeader, input.headerList);
  const { sharedHeader: _shared, ...rest } = input;
  return { ...rest, signedFields };
}

/**
 * The DKIM-Signature field (CRLF-terminated) for one copy: `memberFields` (CRLF-terminated
 * lines, e.g. List-Unsubscribe) go on top of the shared header the signer was made with.
 */
export function signMemberCopy(signer: MemberSigner, memberFields: string): Promise<string> {
  return signWithBodyHash({
    header: memberFields + signer.signedFields,
    bodyHash: signer.bodyHash,
    headerList: signer.headerList,
    key: { domain: signer.domain, selector: signer.selector, privateKeyPem: signer.privateKeyPem },
    signTime: signer.signTime,
    canonicalization: "relaxed/relaxed",
  });
}
