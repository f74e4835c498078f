/**
 * Wildcard alias patterns ("*" for any run of characters, "sales-*@d"). Matched by the greedy
 * two-pointer glob algorithm: on a mismatch it resumes just after the last "*", so the work is
 * at most pattern length x text length, whatever the input. A regular expression with several
 * ".*" backtracks instead, and a crafted +tag against a pattern like "a*a*a*a*b" took minutes.
 */

/** At most this many "*" in a pattern, and this many characters in its local part (RFC 5321 4.5.3.1.1). */
export const MAX_PATTERN_WILDCARDS = 8;
export const MAX_PATTERN_LOCAL_LENGTH = 64;

/** True when `text` matches `pattern` as a whole ("*" matches any run, including an empty one). */
export function matchWildcard(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== "*" && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      resume = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}

/** Why a pattern's local part is too complex to accept, or null when it is fine. */
export function wildcardPatternProblem(address: string): string | null {
  const local = address.slice(0, Math.max(0, address.lastIndexOf("@")));
  if (!local.includes("*")) return null;
  const stars = local.split("*").length - 1;
  if (stars > MAX_PATTERN_WILDCARDS) return `a pattern may have at most ${MAX_PATTERN_WILDCARDS} '*' (got ${stars})`;
  if (local.length > MAX_PATTERN_LOCAL_LENGTH) {
    return `a pattern's local part may have at most ${MAX_PATTERN_LOCAL_LENGTH} characters (got ${local.length})`;
  }
  return null;
}
