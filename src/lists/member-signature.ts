/**
 * One member's DKIM-Signature (RFC 6376 section 5), made from the shared header section, the
 * member's own fields and the body hash computed once per post (transform/handlers/body-hash.ts).
 * Per member this costs a parse of a few header fields, their relaxed canonicalisation and one
 * signature: the body, however large, is never read again (figures in the lists report / bench).
 * The private key PEM is parsed once, not per member (mailauth/crypto-compat.ts).
 */
import { createBodyHashSigner, pickHeaderFields, type SignCopy } from "../mailauth";

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
  /**
   * Signs one copy: the shared fields parsed once and the key imported once per signer, the RSA
   * signature by WebCrypto (mailauth/member-signer.ts, measured in the bench's list profile).
   */
  copies: Promise<SignCopy>;
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
  const copies = createBodyHashSigner({
    sharedFields: signedFields,
    bodyHash: input.bodyHash,
    headerList: input.headerList,
    key: { domain: input.domain, selector: input.selector, privateKeyPem: input.privateKeyPem },
    signTime: input.signTime,
    canonicalization: "relaxed/relaxed",
  });
  // A rejection surfaces at the first signMemberCopy, not as an unhandled promise.
  copies.catch(() => {});
  return { ...rest, signedFields, copies };
}

/**
 * The DKIM-Signature field (CRLF-terminated) for one copy: `memberFields` (CRLF-terminated
 * lines, e.g. List-Unsubscribe) go on top of the shared header the signer was made with.
 */
export async function signMemberCopy(signer: MemberSigner, memberFields: string): Promise<string> {
  return (await signer.copies)(memberFields);
}
