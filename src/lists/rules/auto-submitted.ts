import { isAutoSubmitted } from "../../mail/auto-submitted";
import { headerValue } from "../../mail/header-fields";
import type { PostRule } from "./types";

/**
 * Automatic mail (vacation replies, bulk mail) is not re-sent to the whole list: RFC 3834
 * section 5 (Auto-Submitted other than "no", mail/auto-submitted.ts) and the de-facto
 * `Precedence: bulk/junk`.
 */
export const autoSubmitted: PostRule = {
  name: "auto-submitted",
  description: "Auto-Submitted (RFC 3834) or Precedence: bulk/junk",
  check({ message }) {
    const auto = headerValue(message.headers, "auto-submitted");
    if (isAutoSubmitted(auto)) return `Auto-Submitted: ${auto?.trim().toLowerCase()}`;
    const precedence = headerValue(message.headers, "precedence")?.trim().toLowerCase();
    if (precedence === "bulk" || precedence === "junk") return `Precedence: ${precedence}`;
    return undefined;
  },
};
