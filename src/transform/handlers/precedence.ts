import { setField } from "../../mail/message-parts";
import type { Handler } from "../types";

/**
 * `Precedence: list` (RFC 3834 section 2 names it as a signal not to auto-reply): vacation
 * responders answer the author, not the whole list.
 */
export const precedence: Handler = {
  name: "precedence",
  description: "mark the copy Precedence: list",
  process(context) {
    setField(context.message, "Precedence", "list");
  },
};
