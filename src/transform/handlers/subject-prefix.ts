import { decodeWords } from "postal-mime";
import { getField, setField } from "../../mail/message-parts";
import type { Handler } from "../types";

/**
 * Adds the list's subject prefix, once: a reply ("Re: [team] hi") already carries it, so the
 * prefix is never doubled. The rest of the raw value is kept, encoded words included.
 */
export const subjectPrefix: Handler = {
  name: "subject-prefix",
  description: "prefix the Subject with the list's tag unless it already carries it",
  process(context) {
    const prefix = context.list.subjectPrefix?.trim();
    if (!prefix) return;
    const field = getField(context.message, "subject");
    if (!field) {
      setField(context.message, "Subject", `${prefix} (no subject)`);
      return;
    }
    const raw = field.line.slice(field.line.indexOf(":") + 1).replace(/^[ \t]+/, "");
    const decoded = decodeWords(raw.replace(/\r\n([ \t])/g, "$1"));
    if (decoded.toLowerCase().includes(prefix.toLowerCase())) return;
    setField(context.message, "Subject", `${prefix} ${raw}`);
  },
};
