/**
 * Facteur's one SPF evaluation (RFC 7208 check_host()), shared by authenticate() and the OpenSPF
 * conformance suite so that the suite measures exactly what production does.
 */
import type { SPFResult } from "mailauth/lib/spf";
import { spf } from "mailauth/lib/spf";
import type { Resolver } from "../dns/types";

export interface SpfQuery {
  /** MAIL FROM; empty for the null reverse-path (then postmaster@helo, RFC 7208 section 2.4). */
  sender: string | undefined;
  ip: string;
  helo: string | undefined;
  /** Receiving host name, reported in the result. */
  mta: string;
  resolver: Resolver;
}

export type SpfResult = SPFResult;

export function checkSpf(query: SpfQuery): Promise<SpfResult> {
  return spf({
    ...query,
    // Strict RFC 7208 evaluation (whole-record syntax check, exp= rules, macro syntax before
    // expansion): all 203 OpenSPF RFC 7208 tests pass inside workerd, 196 in mailauth's lenient mode.
    strict: true,
  } as Parameters<typeof spf>[0]);
}
