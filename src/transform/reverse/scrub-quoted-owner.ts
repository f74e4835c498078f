import { fromBinaryString, toBinaryString } from "../../mail/bytes";
import type { ReverseHandler } from "./types";

/**
 * The owner's address in quoted text ("On …, Owner <owner@x> wrote:"), where it can be found
 * cheaply: as literal bytes of the body, any case, replaced by the alias. Base64 or
 * quoted-printable parts that split the address are not decoded (the "when cheap").
 * An address has no 8-bit bytes, so the binary-string replace cannot break other text.
 */
export const scrubQuotedOwner: ReverseHandler = {
  name: "scrub-quoted-owner",
  description: "replace the owner's address in the body's literal text by the alias",
  process(context) {
    let text = toBinaryString(context.message.body);
    let replaced = 0;
    for (const mailbox of context.ownerMailboxes) {
      const pattern = new RegExp(mailbox.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi");
      text = text.replace(pattern, () => {
        replaced++;
        return context.alias;
      });
    }
    if (replaced > 0) context.message.body = fromBinaryString(text);
    context.notes.push(`scrub-quoted-owner: ${replaced}`);
  },
};
