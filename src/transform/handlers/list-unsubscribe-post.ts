import { setField } from "../../mail/message-parts";
import type { Handler } from "../types";

/**
 * RFC 8058 section 3.1: `List-Unsubscribe-Post: List-Unsubscribe=One-Click` tells the mailbox
 * provider it may unsubscribe with one POST to the HTTPS URL of List-Unsubscribe. That URL is
 * per member (lists/unsubscribe-url.ts) and is added at fan-out; section 4 requires both fields to
 * be covered by a valid DKIM signature, which the per-member signature is (lists/member-signature.ts).
 */
export const listUnsubscribePost: Handler = {
  name: "list-unsubscribe-post",
  description: "add RFC 8058 List-Unsubscribe-Post (the per-member List-Unsubscribe comes at fan-out)",
  process(context) {
    setField(context.message, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
  },
};
