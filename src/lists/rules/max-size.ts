import type { PostRule } from "./types";

/**
 * What Facteur adds to a post on its way to a member: the list's header fields (List-*, the
 * rewritten From, Sender), the member's own block (List-Unsubscribe, VERP), a DKIM signature and
 * an ARC set. A post must leave this much room under the relay's size limit, or every copy would
 * be refused (and a refusal of the message is nobody's bounce, lists/relay-refusals.ts).
 */
export const LIST_OVERHEAD_BYTES = 64 * 1024;

/** The size a post may have: the list's own limit, kept under the relay's limit minus the overhead. */
export function effectiveMaxBytes(listMax: number, relayMax: number | undefined): number {
  return relayMax === undefined ? listMax : Math.min(listMax, relayMax - LIST_OVERHEAD_BYTES);
}

/** A post above the list's size limit waits for a moderator (every member would get a copy). */
export const maxSize: PostRule = {
  name: "max-size",
  description: "the post is larger than the list's max_message_bytes (or the relay's limit minus Facteur's overhead)",
  check({ message, list, relayMaxBytes }) {
    const max = effectiveMaxBytes(list.maxMessageBytes, relayMaxBytes);
    if (message.size <= max) return undefined;
    return max < list.maxMessageBytes
      ? `${message.size} bytes exceeds ${max}: the relay's ${relayMaxBytes} minus ${LIST_OVERHEAD_BYTES} for the list's headers`
      : `${message.size} bytes exceeds the list's ${list.maxMessageBytes}`;
  },
};
