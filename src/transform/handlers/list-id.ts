import { encodeDisplayName } from "../../mail/header-fields";
import { setField } from "../../mail/message-parts";
import type { Handler } from "../types";

/** RFC 2919 section 3: `List-Id: phrase <list-label.domain>`, the identifier filters key on. */
export const listId: Handler = {
  name: "list-id",
  description: "add the RFC 2919 List-Id",
  process(context) {
    setField(context.message, "List-Id", `${encodeDisplayName(context.list.name)} <${context.listId}>`);
  },
};
