import { dkimBodyHash } from "../../mailauth";
import type { Handler } from "../types";

/**
 * Fields each member's DKIM signature covers (RFC 6376 section 5.4): the author-visible ones, the
 * RFC 2369/2919 list fields, and List-Unsubscribe plus List-Unsubscribe-Post, which RFC 8058
 * section 4 requires to be signed. ARC fields are not listed: a later ARC set would break it.
 */
export const MEMBER_SIGNED_FIELDS = [
  "From",
  "Sender",
  "Reply-To",
  "Subject",
  "Date",
  "Message-ID",
  "To",
  "Cc",
  "MIME-Version",
  "Content-Type",
  "Content-Transfer-Encoding",
  "In-Reply-To",
  "References",
  "X-Original-From",
  "List-Id",
  "List-Help",
  "List-Unsubscribe",
  "List-Unsubscribe-Post",
  "List-Subscribe",
  "List-Post",
  "List-Owner",
  "List-Archive",
  "Archived-At",
  "Precedence",
];

/**
 * The body hash for the list domain's DKIM signature (d = list domain, so a From rewritten to the
 * list address is aligned, RFC 7489 section 3.1.1). The copies differ only in List-Unsubscribe,
 * so the body hash (RFC 6376 section 3.7, the expensive part: every byte of the body) is computed
 * here, once per post; each member's signature then only hashes the header fields and signs, at
 * fan-out (lists/member-signature.ts).
 */
export const bodyHash: Handler = {
  name: "body-hash",
  description: "hash the shared body once (relaxed, sha256) for the per-member list-domain DKIM signatures",
  process(context) {
    if (!context.signingKey) {
      context.notes.push(`body-hash: no DKIM key for ${context.list.domain}, copies go unsigned`);
      return;
    }
    context.dkim = { bodyHash: dkimBodyHash(context.message.body), headerList: MEMBER_SIGNED_FIELDS };
  },
};
