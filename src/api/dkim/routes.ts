import { z } from "@hono/zod-openapi";
import { apiRoute, json } from "../route";
import { Deleted, DomainName, Timestamp } from "../schemas";

/** RFC 6376 section 3.1: a selector is a sub-domain (dot-separated DNS labels). */
export const Selector = z
  .string()
  .min(1)
  .max(63)
  .regex(
    /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/i,
    "a DNS label: letters, digits, '-'",
  )
  .transform((s) => s.toLowerCase());

export const DkimKeyInfo = z
  .object({
    selector: z.string(),
    algorithm: z.enum(["rsa-sha256", "ed25519-sha256"]),
    public_key: z.string(),
    active: z.boolean(),
    signing: z.boolean().openapi({ description: "This key signs new mail (the newest active key)" }),
    created_at: Timestamp,
  })
  .openapi("DkimKey");

export const DnsRecord = z
  .object({
    type: z.enum(["TXT", "MX"]),
    name: z.string(),
    content: z.string().openapi({
      description: "Exact record content (TXT: one string; split at 255 octets if your DNS host requires)",
    }),
    priority: z.number().int().optional(),
    purpose: z.string(),
  })
  .openapi("DnsRecord");

const DkimState = z
  .object({ domain: z.string(), keys: z.array(DkimKeyInfo), records: z.array(DnsRecord) })
  .openapi("DkimState");

const DomainParam = z.object({ domain: DomainName.openapi({ param: { name: "domain", in: "path" } }) });

export const generateDkim = apiRoute("domain", {
  method: "post",
  path: "/domains/{domain}/dkim",
  tags: ["dkim"],
  summary: "Generate a DKIM key (RSA-2048 or ed25519); older selectors stay published until deleted",
  request: {
    params: DomainParam,
    body: {
      required: false,
      content: {
        "application/json": {
          schema: z.object({ algorithm: z.enum(["rsa", "ed25519"]).default("rsa"), selector: Selector.optional() }),
        },
      },
    },
  },
  responses: {
    201: json(DkimState, "The key was created; publish the records"),
    409: json(z.any(), "Selector in use"),
  },
});

export const getDkim = apiRoute("domain", {
  method: "get",
  path: "/domains/{domain}/dkim",
  tags: ["dkim"],
  summary: "The DNS records to publish: DKIM TXT per selector, SPF, DMARC, Email Routing MX",
  request: { params: DomainParam },
  responses: { 200: json(DkimState, "Keys (public parts) and records") },
});

export const deleteDkim = apiRoute("domain", {
  method: "delete",
  path: "/domains/{domain}/dkim/{selector}",
  tags: ["dkim"],
  summary: "Delete a selector (after rotation, once mail signed with it has been delivered)",
  request: {
    params: DomainParam.extend({ selector: Selector.openapi({ param: { name: "selector", in: "path" } }) }),
  },
  responses: { 200: json(Deleted, "Deleted") },
});
