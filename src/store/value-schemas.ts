/**
 * zod schemas of column values that the store's declarations (store/list-settings.ts) and the API
 * share: bounded printable text and domain names, normalised while validated (lower-case, IDNA
 * A-labels), so a stored value is always in normal form.
 */
import { z } from "zod";
import { normalizeDomain } from "../mail/address";

/** A bounded, printable string: no control characters sneak into headers or logs. */
export function printableText(max: number) {
  return (
    z
      .string()
      .max(max)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
      .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), "must not contain control characters")
  );
}

/** A domain name, validated and normalised (IDNA names become A-labels). */
export const domainName = z
  .string()
  .min(1)
  .max(1024)
  .transform((value, ctx) => {
    const domain = normalizeDomain(value);
    if (!domain) {
      ctx.addIssue({ code: "custom", message: "not a valid domain name" });
      return z.NEVER;
    }
    return domain;
  })
  // The OpenAPI generator describes the input: a string, whatever the transform makes of it.
  .meta({ type: "string", example: "example.com", description: "Domain name; IDNA names are stored as A-labels" });
