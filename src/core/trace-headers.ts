/**
 * The header fields Facteur writes on mail it passes on. forward() may add X- fields only
 * (DESIGN.md), so all of them are X-Facteur-*; transform/handlers/cleanse.ts drops every field with
 * the prefix from a list post, because they are our internal trace.
 */
export const TRACE_HEADER_PREFIX = "X-Facteur-";

/**
 * `X-Facteur-Loop: <recipient>`: the hop delivered for that recipient. Seeing our own stamp again
 * means the message came back around (RFC 5321 section 6.3).
 */
export const LOOP_HEADER = "X-Facteur-Loop";

/** Short auth summary, e.g. "dkim=pass spf=none arc=none dmarc=pass". */
export const AUTH_SUMMARY_HEADER = "X-Facteur-Authentication";

/** The envelope recipient the message arrived for, before alias resolution. */
export const ORIGINAL_RCPT_HEADER = "X-Facteur-Original-To";
