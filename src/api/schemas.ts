/**
 * Shared zod schemas: addresses and domains are normalised while validated (lower-case domain,
 * IDNA A-labels, local part as given; src/address.ts), so handlers only ever see normal forms.
 */
import { z } from "@hono/zod-openapi";
import { parseAddress } from "../mail/address";
import { domainName, printableText } from "../store/value-schemas";

/** A bounded, printable string: no control characters sneak into headers or logs. */
export const text = printableText;

/** A domain name, normalised while validated. */
export const DomainName = domainName;

export const EmailAddress = z
  .string()
  .min(3)
  .max(1024)
  .transform((value, ctx) => {
    const parsed = parseAddress(value);
    if (!parsed) {
      ctx.addIssue({ code: "custom", message: "not a valid address (local@domain)" });
      return z.NEVER;
    }
    return parsed.address;
  })
  .openapi({ type: "string", example: "alice@example.com", description: "local@domain; the domain is normalised" });

export const UserName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' and '-' only")
  .openapi({ example: "din" });

export const Timestamp = z.string().openapi({ format: "date-time", example: "2026-11-25T09:00:00.000Z" });

export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function isoRequired(ms: number): string {
  return new Date(ms).toISOString();
}

export const Deleted = z.object({ deleted: z.literal(true) }).openapi("Deleted");
