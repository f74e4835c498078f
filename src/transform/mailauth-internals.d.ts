// Declarations for the mailauth internals the list pipeline uses (mailauth ships none for them).
// The per-member DKIM signature reuses mailauth's own signer with a precomputed body hash.
declare module "mailauth/lib/dkim/body" {
  export interface BodyHasher {
    update(chunk: Buffer): void;
    digest(encoding: "base64"): string;
  }
  export function dkimBody(canonicalization: string, hashAlgo: string, maxBodyLength: number | false): BodyHasher;
}

declare module "mailauth/lib/tools" {
  export interface ParsedHeaders {
    parsed: { key: string; casedKey: string; line: Buffer }[];
    original: Buffer;
  }
  export function parseHeaders(buf: Buffer): ParsedHeaders;
}

declare module "mailauth/lib/dkim/dkim-signer" {
  import type { ParsedHeaders } from "mailauth/lib/tools";
  export interface SignatureData {
    signingDomain: string;
    selector: string;
    privateKey: string | Buffer | import("node:crypto").KeyObject;
    algorithm?: string;
    canonicalization?: string;
  }
  export class DkimSigner {
    constructor(options: {
      signatureData: SignatureData[];
      bodyHash?: string;
      headers?: ParsedHeaders;
      headerList?: string | string[];
      signTime?: Date;
      canonicalization?: string;
    });
    finalize(): Promise<void>;
    signatureHeaders: string[];
    errors: { err: Error }[];
  }
}
