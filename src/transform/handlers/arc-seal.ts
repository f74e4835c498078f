import { log } from "../../core/log";
import { joinMessage, prependFields, splitMessage } from "../../mail/message-parts";
import { sealArc } from "../../mailauth";
import type { Handler } from "../types";

/**
 * RFC 8617 section 5.1: add ARC set i = n+1 (ARC-Authentication-Results carrying Facteur's
 * inbound verdict, ARC-Message-Signature, ARC-Seal) with cv= the chain status Facteur found.
 * Receivers that trust the list's seal then see the author's original authentication.
 * LAST in the pipeline: every change above would break the ARC-Message-Signature. The per-member
 * List-Unsubscribe and DKIM-Signature added at fan-out are not in its h= (absent when it is made),
 * so they leave it valid.
 */
export const arcSeal: Handler = {
  name: "arc-seal",
  description: "seal the copy with an ARC set (i = n+1) whose AAR is Facteur's inbound Authentication-Results",
  async process(context) {
    const key = context.signingKey;
    if (!key) return;
    const chain = context.auth.arc.result;
    // RFC 8617 section 5.1.1: cv is the validation status of the chain as received.
    const cv = chain === "pass" ? "pass" : chain === "none" ? "none" : "fail";
    const input = joinMessage(context.message);
    const text = await sealArc(input, {
      signingDomain: context.list.domain,
      selector: key.selector,
      privateKeyPem: key.privateKeyPem,
      authResults: context.auth.header,
      cv,
      signTime: new Date(context.now),
    });
    if (!text) {
      // mailauth refuses to extend a chain whose newest seal already says cv=fail (RFC 8617
      // section 5.1 step 2); the copy still goes out with the list's DKIM signature.
      log({ stage: "transform", unit: "arc-seal", outcome: "not-sealed", list: context.list.address, cv });
      context.notes.push(`arc-seal: not sealed (chain ${chain})`);
      return;
    }
    const sealed = splitMessage(new Uint8Array(Buffer.from(`${text}\r\n`, "binary")));
    prependFields(
      context.message,
      sealed.fields.map((f) => f.line),
    );
  },
};
