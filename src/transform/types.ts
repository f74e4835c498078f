/**
 * The transform stage (DESIGN.md pipeline): an ordered list of handlers, each changing the
 * outgoing message in one way. A handler acts; what it acts on was decided before (the posting
 * chain, the DMARC policy rule), so handlers make no decisions of their own (STYLE.md).
 */

import type { AuthResults } from "../authenticate";
import type { SigningKey } from "../credentials/dkim-keys";
import type { MessageParts } from "../mail/message-parts";
import type { ListAddresses } from "../mail/minted-address";
import type { List } from "../store/lists";

/**
 * How the From of a list post is rewritten so that members' receivers see aligned mail
 * (RFC 7489 section 3.1): the DMARC policy rule of the posting chain decides it, the
 * dmarc-mitigation handler applies it.
 */
export type DmarcMitigation = { action: "munge" | "wrap" | "none"; reason: string };

export interface TransformContext {
  readonly list: List;
  readonly addresses: ListAddresses;
  /** RFC 2919 list-id, e.g. team.example.org */
  readonly listId: string;
  /** Facteur's verdict on the author's message at arrival (for the ARC AAR and cv=). */
  readonly auth: Pick<AuthResults, "header" | "arc">;
  /** The From author: address and decoded display name. */
  readonly author: { address: string; display: string | undefined };
  /** What the DMARC policy rule decided (lists/rules/dmarc-policy.ts); the mitigation handler applies it. */
  readonly mitigation: DmarcMitigation;
  /** The list domain's DKIM key, null when the domain has none (then nothing is signed or sealed). */
  readonly signingKey: SigningKey | null;
  readonly now: number;
  /** The post as it arrived: wrap mode attaches it untouched, so the author's signature still verifies. */
  readonly original: Uint8Array;
  /** The message being transformed. */
  message: MessageParts;
  /**
   * Set by body-hash: the body hash (RFC 6376 section 3.7) computed once for the shared body, and
   * the fields each member's signature covers. The signature itself is made per member at fan-out,
   * because List-Unsubscribe differs per member and RFC 8058 section 4 wants it signed.
   */
  dkim?: { bodyHash: string; headerList: string[] };
  /** Set when the list archives the post: its archive page and this post's page (RFC 5064). */
  readonly archive?: { listUrl: string; postUrl: string };
  /** Notes for the log: which handlers changed what. */
  notes: string[];
}

export interface Handler {
  readonly name: string;
  readonly description: string;
  process(context: TransformContext): void | Promise<void>;
}
