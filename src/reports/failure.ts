/**
 * A DMARC failure report (RFC 6591): a multipart/report (RFC 6522) whose message/feedback-report
 * part (RFC 5965 section 3) says what failed, beside the original message or its headers.
 */
import { partText, readFields } from "./fields";
import type { FailureReport } from "./types";

const ORIGINAL_HEADERS = ["from", "to", "subject", "message-id", "date"] as const;

export function parseFailureReport(feedback: Uint8Array, original: Uint8Array | null): FailureReport {
  const fields: FailureReport["feedback_report"] = {};
  for (const [name, values] of readFields(partText(feedback))) {
    fields[name] = values.length === 1 ? (values[0] ?? "") : values;
  }
  let originalHeaders: FailureReport["original_headers"] = null;
  if (original) {
    const headers = readFields(partText(original));
    originalHeaders = Object.fromEntries(
      ORIGINAL_HEADERS.map((name) => [name, headers.get(name)?.[0] ?? null]),
    ) as NonNullable<FailureReport["original_headers"]>;
  }
  return { feedback_report: fields, original_headers: originalHeaders };
}
