import { headerValue } from "../../mail/header-fields";
import { findHeaderEnd } from "../../mail/header-section";
import type { PostRule } from "./types";

/** Words that make a post look like a command meant for -request (Mailman's administrivia). */
const COMMAND = /^\s*(?:un-?subscribe|subscribe|help|remove|join|leave|signoff)\b\s*(?:me|please)?\s*$/i;
/** Only the first lines of a short plain-text body are looked at, like Mailman (its limit is 5). */
const BODY_LINES = 5;
const BODY_BYTES = 2048;

function firstBodyLines(raw: Uint8Array): string[] {
  const text = new TextDecoder().decode(raw.subarray(0, 64 * 1024));
  const bounds = findHeaderEnd(text);
  if (!bounds) return [];
  const start = bounds.fieldsEnd;
  return text
    .slice(start, start + BODY_BYTES)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .slice(0, BODY_LINES);
}

/**
 * "unsubscribe" sent to the whole list helps nobody: the author is pointed to -request instead.
 * Only single-part text bodies are looked at; a MIME tree is a real post.
 */
export const administrivia: PostRule = {
  name: "administrivia",
  description: "the post looks like a subscribe/unsubscribe/help command",
  check({ message, addresses }) {
    const subject = message.subject ?? "";
    const type = headerValue(message.headers, "content-type")?.toLowerCase() ?? "text/plain";
    const lines = type.startsWith("text/plain") ? firstBodyLines(message.raw) : [];
    const short = lines.length > 0 && lines.length <= 2;
    if (COMMAND.test(subject) || (short && lines.some((l) => COMMAND.test(l)))) {
      return `This looks like a command; send it to ${addresses.request}`;
    }
    return undefined;
  },
};
