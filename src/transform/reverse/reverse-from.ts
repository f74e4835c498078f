import { removeFields, setField } from "../../mail/message-parts";
import type { ReverseHandler } from "./types";

/**
 * The owner's copy: From and Reply-To point at the correspondent's reverse address, so the owner's
 * "reply" goes back through Facteur. The display name stays readable ("alice at ext.test"): a
 * quoted-string (RFC 5322 section 3.2.4) of the address with "@" spelled out, so mail clients do
 * not mistake it for the address itself.
 */
export const reverseFrom: ReverseHandler = {
  name: "reverse-from",
  description: "From and Reply-To of the owner's copy: the correspondent's reverse address",
  process(context) {
    if (!context.reverseAddress) return;
    const display = context.correspondent.replace("@", " at ").replace(/["\\\r\n]/g, "");
    const mailbox = `"${display}" <${context.reverseAddress}>`;
    setField(context.message, "From", mailbox);
    removeFields(context.message, (key) => key === "reply-to");
    setField(context.message, "Reply-To", mailbox);
    context.notes.push("reverse-from");
  },
};
