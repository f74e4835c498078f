// mailauth internals that src/authenticate/dkim-verify-in-memory.ts builds on (mailauth is pinned
// to an exact version in package.json; test/property/dkim-fast-path.test.ts checks the behaviour
// against mailauth's own code paths).
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

declare module "mailauth/lib/tools" {
  export function toALabel(domain: string): string;
  export function getPublicKey(
    type: string,
    name: string,
    minBitLength: number | undefined,
    resolver: (name: string, type: string) => Promise<unknown>,
    options?: { strict?: boolean; hashAlgo?: string },
  ): Promise<{ warnings?: unknown[]; [key: string]: unknown }>;
}
