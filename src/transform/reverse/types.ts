/**
 * The reverse-alias transforms (README "Reverse aliases"): two small pipelines of handlers, one
 * for the owner's copy of a correspondent's message, one for the owner's reply to the
 * correspondent. As in the list pipeline, handlers act and make no decisions: routing decided
 * that the copy is rewritten (reverse-alias) or that the reply may go (reverse-address).
 */
import type { SigningKey } from "../../credentials/dkim-keys";
import type { MessageParts } from "../../mail/message-parts";

export interface ReverseContext {
  /** The alias, as stored: the reply's From. */
  readonly alias: string;
  /** The alias domain: the DKIM d= of every copy. */
  readonly domain: string;
  /** The external correspondent. */
  readonly correspondent: string;
  /** Owner's copy: the correspondent's reverse address, shown as From and Reply-To. */
  readonly reverseAddress?: string;
  /** Reply: the owner's mailboxes, which must not appear in what is sent. */
  readonly ownerMailboxes: readonly string[];
  /** Reply: the Message-ID it is sent under (on the alias domain). */
  readonly messageId?: string;
  readonly signingKey: SigningKey | null;
  readonly now: number;
  message: MessageParts;
  notes: string[];
}

export interface ReverseHandler {
  readonly name: string;
  readonly description: string;
  process(context: ReverseContext): void | Promise<void>;
}
