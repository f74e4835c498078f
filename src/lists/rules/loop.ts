import { LOOP_HEADER } from "../../core/trace-headers";
import { headerValues } from "../../mail/header-fields";
import type { PostRule } from "./types";

/**
 * The post already went through this list: it carries our own List-Id (RFC 2919 section 3) or
 * Facteur's loop marker for one of the list's addresses. Re-sending it would loop forever.
 */
export const loop: PostRule = {
  name: "loop",
  description: "the post carries this list's own List-Id or Facteur's loop marker",
  check({ message, listId, addresses }) {
    for (const value of headerValues(message.headers, "list-id")) {
      if (value.toLowerCase().includes(`<${listId.toLowerCase()}>`)) return `already carries List-Id <${listId}>`;
    }
    const own = [addresses.post, addresses.request, addresses.owner].map((a) => a.toLowerCase());
    for (const value of headerValues(message.headers, LOOP_HEADER.toLowerCase())) {
      const marked = value.toLowerCase().split(/[\s,]+/);
      if (own.some((a) => marked.includes(a))) return "already carries Facteur's loop marker for this list";
    }
    return undefined;
  },
};
