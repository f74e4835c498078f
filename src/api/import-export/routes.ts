import { z } from "@hono/zod-openapi";
import { Destinations } from "../domains/routes";
import { apiRoute, json } from "../route";
import { DomainName, EmailAddress, text, UserName } from "../schemas";
import { Mailboxes, Password } from "../users/routes";

/**
 * Entries per section of one import: each new user costs a PBKDF2 hash (100,000 iterations), and
 * a Worker invocation has a CPU budget; bigger databases import in several requests.
 */
export const MAX_IMPORT_ENTRIES = 1000;
export const FACTEUR_EXPORT_VERSION = 1;

/** One entry of the PTT/Elit `database.json`, as that project writes it (clear-text password). */
export const PttUser = z
  .object({ name: UserName, password: Password, mailboxes: Mailboxes })
  .openapi("PttUser", { description: "An entry of the PTT/Elit database.json" });

export const ExportedDomain = z
  .object({
    name: DomainName,
    enabled: z.boolean().default(true),
    catch_all: Destinations.nullable().default(null),
    relay_url: z.string().max(2048).nullable().optional(),
  })
  .openapi("ExportedDomain");

export const ExportedDestination = z
  .object({ address: EmailAddress, verified: z.boolean().default(true) })
  .openapi("ExportedDestination");

export const ExportedUser = z
  .object({
    name: UserName,
    is_admin: z.boolean().default(false),
    mailboxes: Mailboxes.default([]),
    password: Password.optional(),
    password_hash: z
      .string()
      .max(300)
      .regex(/^pbkdf2-sha256\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, "not a Facteur password hash")
      .optional(),
  })
  .openapi("ExportedUser");

export const ExportedAlias = z
  .object({
    address: EmailAddress,
    destinations: Destinations.nullable().default(null),
    owner: UserName.nullable().default(null),
    enabled: z.boolean().default(true),
    description: text(500).nullable().default(null),
  })
  .openapi("ExportedAlias");

/** Sections are validated entry by entry, so one bad entry is reported without losing the rest. */
const section = (what: string) =>
  z
    .array(z.unknown())
    .max(MAX_IMPORT_ENTRIES)
    .default([])
    .openapi({ description: `${what} entries` });

export const FacteurExport = z
  .object({
    facteur: z.literal(FACTEUR_EXPORT_VERSION),
    exported_at: z.string().optional(),
    domains: section("ExportedDomain"),
    destinations: section("ExportedDestination"),
    users: section("ExportedUser"),
    aliases: section("ExportedAlias"),
  })
  .openapi("FacteurExport");

export const ImportBody = z
  .union([
    z
      .array(z.unknown())
      .max(MAX_IMPORT_ENTRIES)
      .openapi({ description: "The PTT/Elit database.json: PttUser entries" }),
    FacteurExport,
  ])
  .openapi("ImportBody");

const Counts = z.object({ domains: z.number(), destinations: z.number(), users: z.number(), aliases: z.number() });

export const ImportReport = z
  .object({
    format: z.enum(["ptt", "facteur"]),
    created: Counts,
    updated: Counts,
    unchanged: Counts,
    errors: z.array(z.object({ entry: z.string(), field: z.string(), detail: z.string() })),
  })
  .openapi("ImportReport");

const TableCounts = z.record(z.string(), z.number());

export const RestoreReport = z
  .object({
    format: z.literal("facteur-backup"),
    version: z.number(),
    merge: z.boolean(),
    applied: z.boolean().openapi({ description: "false: nothing was written" }),
    created: TableCounts,
    updated: TableCounts,
    unchanged: TableCounts,
    objects: z.object({ restored: z.number(), missing: z.number() }),
    conflicts: z.array(
      z.object({
        table: z.string(),
        key: z.array(z.union([z.string(), z.number(), z.null()])),
        fields: z.array(z.string()),
      }),
    ),
    errors: z.array(z.object({ line: z.number(), detail: z.string() })),
  })
  .openapi("RestoreReport");

export const importDatabase = apiRoute("admin", {
  method: "post",
  path: "/import",
  tags: ["users"],
  summary: "Import the PTT/Elit users database (as-is) or a Facteur export; idempotent",
  request: {
    query: z.object({
      domain: DomainName.optional().openapi({
        description: "PTT format: also create <name>@<domain> owned by each user (their mailboxes receive it)",
      }),
      merge: z.enum(["true", "false"]).default("false").openapi({
        description:
          "NDJSON backup: when stored rows differ from the backup's, write the backup's values (default: refuse with 409 and change nothing)",
      }),
    }),
    body: {
      required: false,
      content: {
        "application/json": { schema: ImportBody },
        "application/x-ndjson": {
          schema: z.string().openapi({ description: "A full backup from GET /api/v1/export?format=ndjson" }),
        },
      },
    },
  },
  responses: {
    200: {
      description: "What was created, updated, left alone, and per-entry errors",
      content: { "application/json": { schema: z.union([ImportReport, RestoreReport]) } },
    },
    409: json(RestoreReport, "NDJSON backup into a non-empty instance: every conflict; nothing was changed"),
    422: json(RestoreReport, "NDJSON backup with bad or missing lines; nothing was changed"),
  },
});

export const exportDatabase = apiRoute("admin", {
  method: "get",
  path: "/export",
  tags: ["users"],
  summary: "Export domains, destinations, users and aliases (JSON), or a full backup of the instance (NDJSON)",
  request: {
    query: z.object({
      format: z.enum(["json", "ndjson"]).optional().openapi({
        description:
          "ndjson (or Accept: application/x-ndjson): the full, streamed backup that POST /api/v1/import restores; default json",
      }),
      include_password_hashes: z.enum(["true", "false"]).default("false").openapi({
        description:
          "Admin tokens only: include password hashes, relay URLs with credentials (and, in a backup, API token hashes)",
      }),
      include_dkim_keys: z.enum(["true", "false"]).default("false").openapi({
        description: "Backup, admin tokens only: include DKIM private keys, still encrypted under KEY_ENCRYPTION_KEY",
      }),
      objects: z.enum(["inline", "links"]).default("inline").openapi({
        description: "Backup: R2 bodies (held posts) inline as base64, or as links to GET /api/v1/export/object",
      }),
    }),
  },
  responses: {
    200: {
      description: "The export",
      content: {
        "application/json": { schema: FacteurExport },
        "application/x-ndjson": { schema: z.string().openapi({ description: "One JSON value per line" }) },
      },
    },
  },
});

export const exportObject = apiRoute("admin", {
  method: "get",
  path: "/export/object",
  tags: ["users"],
  summary: "One R2 object a backup links to (objects=links)",
  request: { query: z.object({ key: z.string().min(1).max(1024) }) },
  responses: {
    200: { description: "The object's bytes", content: { "message/rfc822": { schema: z.string() } } },
  },
});
