import { setField } from "../../mail/message-parts";
import type { Handler } from "../types";

/**
 * RFC 2369 list fields shared by every copy. List-Unsubscribe is not here: it carries a
 * per-member URL (RFC 8058) and is written at fan-out, inside that member's DKIM signature.
 */
export const listHeaders: Handler = {
  name: "list-headers",
  description: "add RFC 2369 List-Post, List-Help, List-Subscribe, List-Owner and List-Archive",
  process(context) {
    const { addresses, list } = context;
    const message = context.message;
    // RFC 2369 section 3.4: "NO" tells the reader that posting is not allowed (announce lists).
    setField(
      message,
      "List-Post",
      list.policy === "announce" ? "NO (posting is restricted to moderators)" : `<mailto:${addresses.post}>`,
    );
    setField(message, "List-Help", `<mailto:${addresses.request}?subject=help>`);
    setField(message, "List-Subscribe", `<mailto:${addresses.request}?subject=subscribe>`);
    setField(message, "List-Owner", `<mailto:${addresses.owner}>`);
    if (list.archiveUrl) setField(message, "List-Archive", `<${list.archiveUrl}>`);
  },
};
