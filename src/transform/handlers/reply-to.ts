import { getField, setField } from "../../mail/message-parts";
import type { Handler } from "../types";

/**
 * The list's Reply-To policy:
 * - list: replies go to the list (Reply-To: the post address, replacing the author's);
 * - author: replies go to the author, written out explicitly (the author's own Reply-To, else
 *   their From) so it survives a From rewrite by dmarc-mitigation;
 * - none: the message's own Reply-To, if any, is left alone.
 */
export const replyTo: Handler = {
  name: "reply-to",
  description: "apply the list's Reply-To policy (list / author / none)",
  process(context) {
    const message = context.message;
    switch (context.list.replyTo) {
      case "list":
        setField(message, "Reply-To", `<${context.addresses.post}>`);
        return;
      case "author": {
        if (getField(message, "reply-to")) return;
        const from = getField(message, "from");
        if (from) setField(message, "Reply-To", from.line.slice(from.line.indexOf(":") + 1).replace(/^[ \t]+/, ""));
        return;
      }
      case "none":
        return;
    }
  },
};
