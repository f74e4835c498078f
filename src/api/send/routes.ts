import { z } from "@hono/zod-openapi";
import { apiRoute, json } from "../route";
import { EmailAddress, text } from "../schemas";
import { MAX_ATTACHMENTS, MAX_EXTRA_HEADERS, MAX_SUBMISSION_RECIPIENTS, RESERVED_HEADERS } from "./limits";

const Recipients = z.array(EmailAddress).max(MAX_SUBMISSION_RECIPIENTS);

/** RFC 5322 section 3.6.8 field name; values are checked by text() (no CR/LF: no header injection). */
const HeaderName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,76}$/, "a header field name (letters, digits, '-')")
  .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()), "Facteur writes this header itself");

const Attachment = z.object({
  filename: text(255)
    .min(1)
    .regex(/^[^"\\/]+$/, "no quotes, backslashes or slashes"),
  content_type: z
    .string()
    .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i, "a MIME type such as application/pdf")
    .default("application/octet-stream"),
  content: z
    .string()
    .regex(/^[A-Za-z0-9+/\r\n]*={0,2}\s*$/, "base64")
    .openapi({ description: "base64" }),
});

export const SendJson = z
  .object({
    from: EmailAddress.openapi({ description: "An address you own: an alias (or list) whose owner you are" }),
    from_name: text(200).optional(),
    to: Recipients.default([]),
    cc: Recipients.default([]),
    bcc: Recipients.default([]).openapi({ description: "Envelope only: never written into the message" }),
    reply_to: EmailAddress.optional(),
    subject: text(998),
    text: z
      .string()
      .max(5 * 1024 * 1024)
      .optional(),
    html: z
      .string()
      .max(5 * 1024 * 1024)
      .optional(),
    attachments: z.array(Attachment).max(MAX_ATTACHMENTS).default([]),
    headers: z
      .record(HeaderName, text(998))
      .refine((h) => Object.keys(h).length <= MAX_EXTRA_HEADERS, `at most ${MAX_EXTRA_HEADERS} extra headers`)
      .default({}),
  })
  .openapi("SendMessage");

export const SendResult = z
  .object({
    message_id: z.string().openapi({ example: "<0193...@example.com>" }),
    message: z.string().openapi({ description: "Id in the message log; GET /api/v1/deliveries?message=" }),
    deliveries: z.array(z.object({ id: z.string(), rcpt: z.string() })),
    suppressed: z.array(z.string()).openapi({ description: "Recipients skipped because they are suppressed" }),
  })
  .openapi("SendResult");

export const sendMessage = apiRoute("user", {
  method: "post",
  path: "/send",
  tags: ["send"],
  summary:
    "Send as one of your addresses: JSON (composed for you) or raw RFC 5322 (message/rfc822); DKIM-signed, relayed",
  request: {
    body: {
      // Not "required": the raw form has no JSON to validate, and the handler checks which it got.
      required: false,
      content: {
        "application/json": { schema: SendJson },
        "message/rfc822": { schema: z.string().openapi({ format: "binary" }) },
      },
    },
  },
  responses: {
    202: json(SendResult, "Queued for delivery"),
    409: json(z.any(), "The From domain has no DKIM key or is disabled"),
    422: json(z.any(), "The message has no recipients, or is malformed"),
  },
});
