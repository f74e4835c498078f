import { joinMessage, prependFields } from "../../mail/message-parts";
import { signDkim } from "../../mailauth";
import type { ReverseHandler } from "./types";

/**
 * DKIM signature with the alias domain's key (RFC 6376), relaxed/relaxed: the rewritten From is
 * on that domain, so this signature is what makes the copy pass DMARC (RFC 7489 section 3.1).
 * LAST of the changes: anything after it would break the signature. Without a key nothing is
 * signed (the caller refuses to send a reply unsigned).
 */
export const dkimSignAlias: ReverseHandler = {
  name: "dkim-sign-alias",
  description: "DKIM-sign with the alias domain's key, after every change",
  async process(context) {
    const key = context.signingKey;
    if (!key) return;
    const signed = await signDkim(
      joinMessage(context.message),
      { domain: context.domain, selector: key.selector, privateKeyPem: key.privateKeyPem, algorithm: key.algorithm },
      { canonicalization: "relaxed/relaxed", signTime: new Date(context.now) },
    );
    if (!signed.signatures) throw new Error(`DKIM signing for ${context.domain} failed`);
    const lines = signed.signatures.replace(/\r?\n$/, "").split(/\r?\n(?![ \t])/);
    prependFields(context.message, lines);
    context.notes.push("dkim-sign-alias");
  },
};
