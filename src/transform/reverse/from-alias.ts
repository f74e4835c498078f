import { setField } from "../../mail/message-parts";
import type { ReverseHandler } from "./types";

/**
 * The reply as the correspondent sees it: From the alias, To the correspondent (the owner wrote
 * to the reverse address), and a Message-ID on the alias domain, because the owner's provider's
 * id names its host (RFC 5322 section 3.6.4). In-Reply-To and References are left as written.
 */
export const fromAlias: ReverseHandler = {
  name: "from-alias",
  description: "From: the alias; To: the correspondent; a Message-ID on the alias domain",
  process(context) {
    setField(context.message, "From", context.alias);
    setField(context.message, "To", context.correspondent);
    if (context.messageId) setField(context.message, "Message-ID", context.messageId);
  },
};
