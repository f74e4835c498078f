/**
 * ARC (RFC 8617) by mailauth: validating the chain a message arrived with, and sealing a copy
 * with the next ARC set.
 */
import { Buffer } from "node:buffer";
import type { ARCResult } from "mailauth";
import { arc, sealMessage } from "mailauth/lib/arc";
import type { Resolver } from "../dns/types";

export type ArcResult = ARCResult;

/**
 * Validates the chain (RFC 8617 section 5.2). `arcData` is what DKIM verification collected
 * (`verifyDkim(...).arc`): the ARC sets are parsed and hashed in the same pass as DKIM.
 */
export function verifyArc(arcData: unknown, options: { resolver: Resolver; minBitLength: number }): Promise<ArcResult> {
  return arc(arcData as Parameters<typeof arc>[0], options as Parameters<typeof arc>[1]);
}

export interface ArcSealInput {
  signingDomain: string;
  selector: string;
  privateKeyPem: string;
  /** The ARC-Authentication-Results payload: the sealer's Authentication-Results value. */
  authResults: string;
  /** Chain validation status as received (RFC 8617 section 5.1.1). */
  cv: "pass" | "none" | "fail";
  signTime: Date;
}

/**
 * The ARC set i = n+1 (ARC-Authentication-Results, ARC-Message-Signature, ARC-Seal) as header
 * text without the final CRLF, binary string; empty when mailauth refuses to seal (a chain whose
 * newest seal already says cv=fail, RFC 8617 section 5.1 step 2).
 */
export async function sealArc(message: Uint8Array, seal: ArcSealInput): Promise<string> {
  const headers = await sealMessage(Buffer.from(message.buffer, message.byteOffset, message.byteLength), {
    signingDomain: seal.signingDomain,
    selector: seal.selector,
    privateKey: seal.privateKeyPem,
    authResults: seal.authResults,
    cv: seal.cv,
    signTime: seal.signTime,
  } as unknown as Parameters<typeof sealMessage>[1]);
  return headers.toString("binary");
}
