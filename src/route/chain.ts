import { alias } from "./rules/alias";
import { aliasDisabled } from "./rules/alias-disabled";
import { blockedContact } from "./rules/blocked-contact";
import { dmarcReject } from "./rules/dmarc-reject";
import { headerFrom } from "./rules/header-from";
import { listAddress } from "./rules/list-address";
import { loopMarker } from "./rules/loop-marker";
import { noSuchUser } from "./rules/no-such-user";
import { reportAddress } from "./rules/report-address";
import { reverseAddress } from "./rules/reverse-address";
import { reverseAlias } from "./rules/reverse-alias";
import { srsReturn } from "./rules/srs-return";
import { tooManyReceived } from "./rules/too-many-received";
import { unknownDomain } from "./rules/unknown-domain";
import type { Rule } from "./types";

/**
 * The inbound chain, in order. The first rule that returns a decision wins. Size and header-bomb
 * limits are enforced earlier, in receive/, because they must hold before anything is parsed.
 */
export const INBOUND_CHAIN: readonly Rule[] = [
  loopMarker, // our own marker for this recipient: the cheapest loop signal, checked first
  tooManyReceived, // hop count (RFC 5321 section 6.3)
  unknownDomain, // 5.1.2 before looking at any alias
  reportAddress, // DMARC / TLS report addresses: stored when the reporter passed DMARC, else discarded
  srsReturn, // bounces to our SRS addresses: verified, then back to the original sender
  headerFrom, // exactly one From with one author domain (RFC 5322 3.6, RFC 7489 6.6.1)
  dmarcReject, // honour p=reject for mail that fails DMARC (RFC 7489 6.7)
  reverseAddress, // a reverse address: the alias owner's reply, authenticated, else 5.7.1
  listAddress, // a list's post/-request/-owner/-bounces/-confirm address: handed to lists/
  aliasDisabled, // disabled or expired, with options: the chosen reply, or discard
  blockedContact, // the sender is a blocked contact of the alias: 5.7.1 or discard
  reverseAlias, // reverse aliases on: accepted, the owner's copy gets a reverse From
  alias, // exact → subaddress → pattern → catch-all; disabled → 5.2.1
  noSuchUser, // nothing matched: 5.1.1
];

export function runChain(chain: readonly Rule[], context: Parameters<Rule["check"]>[0]) {
  for (const rule of chain) {
    const decision = rule.check(context);
    if (decision) return decision;
  }
  // The chain always ends with a rule that decides; reaching here is a programming error.
  throw new Error("routing chain ended without a decision");
}
