/** DMARC (RFC 7489) by mailauth: the author domain's policy and identifier alignment. */
import type { DMARCOptions } from "mailauth";
import { evaluateDmarc } from "mailauth/lib/dmarc";
import type { Resolver } from "../dns/types";
import type { ArcResult } from "./arc";

export interface DmarcInput {
  /** Addresses of the From header (verifyDkim(...).headerFrom). */
  headerFrom: string[];
  fromFields: number;
  /** Domains for which SPF passed. */
  spfDomains: string[];
  /** Passing DKIM signatures: id, signing domain, and mailauth's alignment of it. */
  dkimDomains: { id?: string; domain?: string; aligned?: string | false }[];
  arcResult: ArcResult;
  resolver: Resolver;
}

export type DmarcEvaluation = Awaited<ReturnType<typeof evaluateDmarc>>;

export function checkDmarc(input: DmarcInput): Promise<DmarcEvaluation> {
  return evaluateDmarc(input as unknown as DMARCOptions);
}
