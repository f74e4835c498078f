import { TRACE_HEADER_PREFIX } from "../../core/trace-headers";
import { removeFields } from "../../mail/message-parts";
import type { Handler } from "../types";

/**
 * Fields that must not travel to members:
 * - Return-Path is written by the final delivery (RFC 5321 section 4.4), never carried along;
 * - Bcc would disclose the blind recipients to the whole list (RFC 5322 section 3.6.3);
 * - Facteur's own X-Facteur-* fields are internal trace;
 * - an upstream list's List-* fields and Precedence describe another list (RFC 2369 section 4);
 * - X-Original-From is Facteur's to write (dmarc-mitigation), an incoming one could be forged;
 * - Authentication-Results carrying our own authserv-id were not written by us (RFC 8601 section 5).
 * The author's DKIM-Signature is kept: where nothing it covers changed it still verifies.
 */
const DROPPED = new Set(["return-path", "bcc", "resent-bcc", "x-original-from", "precedence"]);
const TRACE_PREFIX = TRACE_HEADER_PREFIX.toLowerCase();

export const cleanse: Handler = {
  name: "cleanse",
  description: "drop Return-Path, Bcc, Facteur's own fields and upstream list fields; keep the author's DKIM-Signature",
  process(context) {
    const authservId = context.auth.header.slice(0, context.auth.header.indexOf(";")).trim().toLowerCase();
    removeFields(context.message, (key, field) => {
      if (DROPPED.has(key) || key.startsWith(TRACE_PREFIX) || key.startsWith("list-")) return true;
      if (key === "authentication-results" && authservId) {
        const value = field.line
          .slice(field.line.indexOf(":") + 1)
          .trim()
          .toLowerCase();
        return value.startsWith(authservId);
      }
      return false;
    });
  },
};
