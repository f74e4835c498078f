// The one declaration file for mailauth's parts that ship no types: its private internals, which
// only src/mailauth/ may use. mailauth is pinned to an exact version in package.json, and
// test/mailauth/internals-guard.test.ts fails, naming the member, when one of these changes shape.
// test/property/dkim-fast-path.test.ts checks the behaviour built on them against mailauth's own
// code paths.

declare module "mailauth/lib/dkim/dkim-verifier" {
  import type { Buffer } from "node:buffer";
  export class DkimVerifier {
    constructor(options: Record<string, unknown>);
    state: "header" | "body";
    headerBytes: number;
    lastByte: number | undefined;
    headers: unknown;
    headerFrom: string[];
    fromFields: number;
    envelopeFrom: string | false;
    results: unknown[];
    arc: unknown;
    seal: unknown;
    bodyHashes: Map<string, { update(chunk: Buffer | null, final?: boolean): void }>;
    resolver: unknown;
    keyCache: unknown;
    writeAsync(chunk: Buffer): Promise<void>;
    finish(): Promise<void>;
    processChunk(chunk: Buffer): Promise<void>;
    emitHeaders(chunk?: Buffer): Promise<void>;
    nextChunk(chunk: Buffer): Promise<void>;
    ensureLinebreaks(input: Buffer): Generator<Buffer>;
  }
}

declare module "mailauth/lib/dkim/body/relaxed" {
  import type { Buffer } from "node:buffer";
  export class RelaxedHash {
    constructor(algorithm?: string, maxBodyLength?: number | false);
    remainder: Buffer | false;
    byteLength: number;
    update(chunk: Buffer | null, final?: boolean): void;
    digest(encoding: "base64"): string;
    _pushBodyHash(chunk: Buffer): void;
  }
}

declare module "mailauth/lib/dkim/body" {
  import type { Buffer } from "node:buffer";
  export interface BodyHasher {
    update(chunk: Buffer): void;
    digest(encoding: "base64"): string;
  }
  export function dkimBody(canonicalization: string, hashAlgo: string, maxBodyLength: number | false): BodyHasher;
}

declare module "mailauth/lib/tools" {
  import type { Buffer } from "node:buffer";
  export interface ParsedHeaders {
    parsed: { key: string; casedKey: string; line: Buffer }[];
    original: Buffer;
  }
  export function parseHeaders(buf: Buffer): ParsedHeaders;
  export interface SigningHeaderLines {
    keys: string;
    headers: ParsedHeaders["parsed"];
  }
  export function getSigningHeaderLines(
    parsed: ParsedHeaders["parsed"],
    fieldNames: string,
    verify?: boolean,
  ): SigningHeaderLines;
  export function formatSignatureHeaderLine(type: string, values: Record<string, unknown>, folded: boolean): string;
  export function toALabel(domain: string): string;
  export function getPublicKey(
    type: string,
    name: string,
    minBitLength: number | undefined,
    resolver: (name: string, type: string) => Promise<unknown>,
    options?: { strict?: boolean; hashAlgo?: string },
  ): Promise<{ warnings?: unknown[]; [key: string]: unknown }>;
}

declare module "mailauth/lib/dkim/header" {
  import type { Buffer } from "node:buffer";
  import type { SigningHeaderLines } from "mailauth/lib/tools";
  export function generateCanonicalizedHeader(
    type: string,
    signingHeaderLines: SigningHeaderLines,
    options: Record<string, unknown>,
  ): { canonicalizedHeader: Buffer; dkimHeaderOpts: Record<string, unknown>; signatureHeaderLine: string };
}

declare module "mailauth/lib/dkim/dkim-signer" {
  import type { Buffer } from "node:buffer";
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

declare module "mailauth/lib/parse-received" {
  export interface ReceivedClause {
    value?: string;
    comment?: string;
  }
  export interface ParsedReceived {
    from?: ReceivedClause;
    by?: ReceivedClause;
    [clause: string]: ReceivedClause | undefined;
  }
  export function parseReceived(line: string): ParsedReceived;
  export function getClientAddress(from: ReceivedClause | undefined): string | false;
}
