import { LOOP_HEADER } from "../../core/trace-headers";
import { lookupKey } from "../../mail/address";
import { reject } from "../decision";
import type { Rule } from "../types";

/**
 * Facteur stamps `X-Facteur-Loop: <recipient>` on everything it passes on (forward() may only add
 * X- headers). Seeing our own stamp for this recipient means the message came back around:
 * RFC 5321 section 6.3 asks receivers to detect such loops; 5.4.6 is "routing loop detected".
 */
const LOOP_FIELD = LOOP_HEADER.toLowerCase();

export const loopMarker: Rule = {
  name: "loop-marker",
  description: "reject mail that already carries Facteur's loop marker for this recipient",
  check({ message, recipient }) {
    const self = lookupKey(recipient.address);
    for (const field of message.headers) {
      if (
        field.name === LOOP_FIELD &&
        field.value
          .toLowerCase()
          .split(/[\s,]+/)
          .includes(self)
      ) {
        return reject("loop-marker", 554, "5.4.6", `Routing loop detected: already forwarded for ${recipient.address}`);
      }
    }
    return undefined;
  },
};
