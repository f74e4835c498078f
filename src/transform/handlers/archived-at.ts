import { setField } from "../../mail/message-parts";
import type { Handler } from "../types";

/**
 * The list's own archive, when the list archives: RFC 2369 List-Archive (unless the list names an
 * external archive_url, which list-headers wrote) and RFC 5064 Archived-At, the URL of this post,
 * the same in every copy because the post id is known before fan-out.
 */
export const archivedAt: Handler = {
  name: "archived-at",
  description: "add RFC 2369 List-Archive and RFC 5064 Archived-At for lists that archive",
  process(context) {
    if (!context.archive) return;
    if (!context.list.archiveUrl) setField(context.message, "List-Archive", `<${context.archive.listUrl}>`);
    setField(context.message, "Archived-At", `<${context.archive.postUrl}>`);
  },
};
