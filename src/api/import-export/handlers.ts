import type { RouteHandler, z } from "@hono/zod-openapi";
import { readDatabaseExport } from "../../store/database-export";
import { findDomainByName } from "../../store/domains";
import { forbidden } from "../access";
import type { ApiEnv } from "../env";
import { ApiProblem } from "../problem";
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
  FACTEUR_EXPORT_VERSION,
  type importDatabase,
  PttUser,
} from "./routes";

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
  const body = c.req.valid("json");
  const { domain } = c.req.valid("query");
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
      const outcome = await importUser(db, { ...entry, is_admin: false });
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
    await importSection(report, "users", body.users, ExportedUser, (e) => importUser(db, e));
    await importSection(report, "aliases", body.aliases, ExportedAlias, (e) => importAlias(db, e));
  }
  return c.json(report, 200);
};

export const exportDatabaseHandler: RouteHandler<typeof exportDatabase, ApiEnv> = async (c) => {
  const secrets = c.req.valid("query").include_password_hashes === "true";
  if (secrets && !c.get("access").admin) throw forbidden("password hashes are exported to admin tokens only");
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
