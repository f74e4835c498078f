/**
 * DNS answers as the health check needs them, through the Worker's resolver. "No such name" and
 * "no such data" are an empty answer (RFC 2308); anything else is a failure the check reports.
 */
import type { Resolver } from "../dns/types";

export type Answer<T> = { ok: true; values: T[] } | { ok: false; error: string };

function failure(error: unknown): Answer<never> | null {
  const code = (error as { code?: string })?.code;
  if (code === "ENOTFOUND" || code === "ENODATA") return null;
  return { ok: false, error: code ?? String(error) };
}

/** Each TXT record with its character-strings joined (RFC 7208 section 3.3, RFC 6376 section 3.6.2.2). */
export async function txtRecords(resolver: Resolver, name: string): Promise<Answer<string>> {
  try {
    const answer = (await resolver(name, "TXT")) as string[][];
    return { ok: true, values: answer.map((chunks) => (Array.isArray(chunks) ? chunks.join("") : String(chunks))) };
  } catch (error) {
    return failure(error) ?? { ok: true, values: [] };
  }
}

export async function mxHosts(resolver: Resolver, name: string): Promise<Answer<string>> {
  try {
    const answer = (await resolver(name, "MX")) as { exchange: string }[];
    return { ok: true, values: answer.map((mx) => mx.exchange.toLowerCase().replace(/\.$/, "")) };
  } catch (error) {
    return failure(error) ?? { ok: true, values: [] };
  }
}

/** Records of `name` that start with a version tag such as v=spf1 or v=DMARC1 (case-insensitive). */
export function versioned(values: string[], version: string): string[] {
  const prefix = new RegExp(`^\\s*v=${version}(\\s|;|$)`, "i");
  return values.filter((v) => prefix.test(v));
}
