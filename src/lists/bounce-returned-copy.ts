/**
 * Issue 10 item 3, the second path: a bounce to the plain team-bounces@d (no VERP tag, or one
 * that does not verify) names a member only when the header section it returns (RFC 3464
 * section 2: text/rfc822-headers or message/rfc822) is one of Facteur's own copies to that
 * member. Final-Recipient alone is the sender's word; anyone can write any address there.
 *
 * A copy is recognised by two things a forger does not both have:
 * - its List-Unsubscribe URL, whose token is an HMAC under LIST_SECRET of (list, member)
 *   (unsubscribe-url.ts): it names the member, and only that member's copy carries it;
 * - its Message-ID, which must be a post to this list that Facteur delivered to that member
 *   (a delivery row), so an old or made-up header section does not count.
 * The member must also be one of the report's failed recipients.
 */
import type { ParsedDsn } from "../bounce/dsn-parse";
import { lookupKey } from "../mail/address";
import { findListCopySent } from "../store/delivery-lookups";
import type { List } from "./types";
import { verifyUnsubscribeToken } from "./unsubscribe-url";

const UNSUBSCRIBE_TOKEN = /\/lists\/unsubscribe\/([A-Za-z0-9_-]{1,512}\.[A-Za-z0-9_-]{1,64})/g;

/** The member the returned copy names, or null when it is not a copy Facteur sent. */
export async function memberOfReturnedCopy(env: Env, list: List, dsn: ParsedDsn | null): Promise<string | null> {
  const headers = dsn?.originalHeaders;
  const messageId = dsn?.originalMessageId?.trim();
  if (!headers || !messageId) return null;
  // Folded header lines (RFC 5322 section 2.2.3) are unfolded so a URL split over lines is found.
  const unfolded = headers.replace(/\r\n[ \t]+/g, " ");
  const failed = new Set(
    dsn.recipients
      .filter((r) => r.action === "failed" || r.status.startsWith("5."))
      .flatMap((r) => [r.finalRecipient, r.originalRecipient ?? ""])
      .map((a) => lookupKey(a)),
  );
  for (const match of unfolded.matchAll(UNSUBSCRIBE_TOKEN)) {
    const named = verifyUnsubscribeToken(env.LIST_SECRET, match[1]!);
    if (!named || named.list !== lookupKey(list.address) || !failed.has(named.member)) continue;
    if (await findListCopySent(env.DB, { listAddress: list.address, messageId, rcpt: named.member })) {
      return named.member;
    }
  }
  return null;
}
