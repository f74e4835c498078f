import type { AuthResults } from "./index";

/** Results reported when authentication itself broke on hostile input: nothing is trusted. */
export function failedAuth(error: unknown, fromAddresses: readonly string[]): AuthResults {
  const comment = `authentication failed: ${(error as Error)?.message ?? String(error)}`.slice(0, 200);
  const none = { result: "permerror", comment };
  const fromDomains = [...new Set(fromAddresses.map((a) => a.slice(a.lastIndexOf("@") + 1).toLowerCase()))];
  return {
    dkim: { ...none, signatures: [] },
    spf: { ...none },
    arc: { ...none, instance: 0 },
    dmarc: { ...none },
    fromDomains,
    authenticated: false,
    header: `none; dkim=permerror; spf=none; arc=permerror; dmarc=permerror`,
    arcData: undefined,
  };
}
