import type { RouteHandler, z } from "@hono/zod-openapi";
import { readDatabaseExport } from "../../store/database-export";
import { findDomainByName } from "../../store/domains";
import { forbidden } from "../access";
import type { ApiEnv } from "../env";
import { ApiProblem } from "../problem";
import { streamBackup } from "./backup-export";
import { restoreBackup } from "./backup-import";
import {
  EntryError,
  importAlias,
  importDestination,
  importDomain,
  importUser,
  importUserAddress,
  type Outcome,
} from "./importers";
import {
  ExportedAlias,
  ExportedDestination,
  ExportedDomain,
  ExportedUser,
  type exportDatabase,
  type exportObject,
  FACTEUR_EXPORT_VERSION,
  type ImportBody,
  type importDatabase,
  PttUser,
} from "./routes";

const isNdjson = (header: string | undefined) => /^application\/(x-)?ndjson\b/i.test(header?.trim() ?? "");

type Kind = "domains" | "destinations" | "users" | "aliases";
type Counts = Record<Kind, number>;
const zero = (): Counts => ({ domains: 0, destinations: 0, users: 0, aliases: 0 });

interface Report {
  format: "ptt" | "facteur";
  created: Counts;
  updated: Counts;
  unchanged: Counts;
  errors: { entry: string; field: string; detail: string }[];
}

/** Validates and imports one section entry by entry; a bad entry is reported, the rest go on. */
async function importSection<S extends z.ZodType>(
  report: Report,
  kind: Kind,
  entries: unknown[],
  schema: S,
  apply: (entry: z.output<S>, index: number) => Promise<Outcome>,
): Promise<void> {
  for (const [index, raw] of entries.entries()) {
    const where = `${kind}.${index}`;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        report.errors.push({
          entry: where,
          field: issue.path.map(String).join(".") || "(entry)",
          detail: issue.message,
        });
      }
      continue;
    }
    try {
      report[await apply(parsed.data, index)][kind]++;
    } catch (error) {
      if (!(error instanceof EntryError)) throw error;
      report.errors.push({ entry: where, field: error.field, detail: error.detail });
    }
  }
}

export const importDatabaseHandler: RouteHandler<typeof importDatabase, ApiEnv> = async (c) => {
  const { domain, merge } = c.req.valid("query");
  if (isNdjson(c.req.header("content-type"))) {
    if (!c.req.raw.body) throw new ApiProblem(400, "bad-request", "the backup is empty");
    const { status, report } = await restoreBackup(c.env.DB, c.env.MAIL, c.req.raw.body, merge === "true");
    return c.json(report, status);
  }
  const body = c.req.valid("json") as z.output<typeof ImportBody> | Record<string, never>;
  if (!Array.isArray(body) && !("facteur" in body)) {
    throw new ApiProblem(415, "unsupported-media-type", "send application/json or application/x-ndjson");
  }
  const db = c.env.DB;
  if (domain && !(await findDomainByName(db, domain))) {
    throw new ApiProblem(422, "unprocessable", `domain: Facteur does not serve ${domain}`, {
      errors: [{ field: "domain", detail: "add the domain first", in: "query" }],
    });
  }
  const report: Report = {
    format: Array.isArray(body) ? "ptt" : "facteur",
    created: zero(),
    updated: zero(),
    unchanged: zero(),
    errors: [],
  };
  if (Array.isArray(body)) {
    await importSection(report, "users", body, PttUser, async (entry) => {
      const outcome = await importUser(c.env, { ...entry, is_admin: false });
      if (domain) {
        try {
          report[await importUserAddress(db, entry.name, domain)].aliases++;
        } catch (error) {
          if (!(error instanceof EntryError)) throw error;
          report.errors.push({ entry: `users.${entry.name}`, field: error.field, detail: error.detail });
        }
      }
      return outcome;
    });
  } else {
    // Order matters: aliases need their domain and owner.
    await importSection(report, "domains", body.domains, ExportedDomain, (e) => importDomain(db, e));
    await importSection(report, "destinations", body.destinations, ExportedDestination, (e) =>
      importDestination(db, e),
    );
    await importSection(report, "users", body.users, ExportedUser, (e) => importUser(c.env, e));
    await importSection(report, "aliases", body.aliases, ExportedAlias, (e) => importAlias(db, e));
  }
  return c.json(report, 200);
};

export const exportDatabaseHandler: RouteHandler<typeof exportDatabase, ApiEnv> = async (c) => {
  const query = c.req.valid("query");
  const secrets = query.include_password_hashes === "true";
  const dkimKeys = query.include_dkim_keys === "true";
  if ((secrets || dkimKeys) && !c.get("access").admin) {
    throw forbidden("password hashes and DKIM keys are exported to admin tokens only");
  }
  if (query.format === "ndjson" || (!query.format && isNdjson(c.req.header("accept")))) {
    const stream = streamBackup(c.env.DB, c.env.MAIL, { credentials: secrets, dkimKeys, objects: query.objects });
    // Declared in the route; hono's typed responses cover JSON bodies only.
    return new Response(stream, {
      status: 200,
      headers: { "content-type": "application/x-ndjson; charset=utf-8" },
    }) as never;
  }
  const data = await readDatabaseExport(c.env.DB);
  return c.json(
    {
      facteur: FACTEUR_EXPORT_VERSION,
      exported_at: new Date().toISOString(),
      domains: data.domains.map((d) => ({
        name: d.name,
        enabled: d.enabled,
        catch_all: d.catchAll,
        // Relay URLs carry credentials: exported only with the secrets.
        ...(secrets ? { relay_url: d.relayUrl } : {}),
      })),
      destinations: data.destinations.map((d) => ({ address: d.address, verified: d.verified })),
      users: data.users.map((u) => ({
        name: u.name,
        is_admin: u.isAdmin,
        mailboxes: u.mailboxes,
        ...(secrets && u.passwordHash ? { password_hash: u.passwordHash } : {}),
      })),
      aliases: data.aliases.map((a) => ({
        address: a.address,
        destinations: a.destinations,
        owner: a.owner,
        enabled: a.enabled,
        description: a.description,
      })),
    },
    200,
  );
};

export const exportObjectHandler: RouteHandler<typeof exportObject, ApiEnv> = async (c) => {
  const object = await c.env.MAIL.get(c.req.valid("query").key);
  if (!object) throw new ApiProblem(404, "not-found", "no such object");
  return new Response(object.body, { status: 200, headers: { "content-type": "message/rfc822" } });
};
