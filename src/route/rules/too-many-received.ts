import { reject } from "../decision";
import type { Rule } from "../types";

/**
 * RFC 5321 section 6.3: a message with an implausible number of Received fields is looping.
 * The limit is MAX_RECEIVED_HEADERS (Postfix's hopcount_limit is 50).
 */
export const tooManyReceived: Rule = {
  name: "too-many-received",
  description: "reject mail with more Received header fields than the hop limit",
  check({ message, config }) {
    let hops = 0;
    for (const field of message.headers) if (field.name === "received") hops++;
    if (hops > config.maxReceivedHeaders) {
      return reject("too-many-received", 554, "5.4.6", `Too many hops (${hops} Received headers): routing loop`);
    }
    return undefined;
  },
};
