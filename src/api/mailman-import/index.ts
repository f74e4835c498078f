/**
 * POST /api/v1/lists/{address}/import/mailman: move a list in from Mailman 3. Takes the list's
 * REST JSON (settings), its rosters (/roster/member, /owner, /moderator) and/or `mailman members`
 * output; keeps roles; with skip_confirmation the members are active at once, otherwise each gets
 * the double opt-in mail. The answer reports every Mailman setting that has no Facteur equivalent.
 */
import { OpenAPIHono, type RouteHandler, z } from "@hono/zod-openapi";
import { newId } from "../../core/ids";
import { queueConfirmations } from "../../lists/confirmation-pages";
import { mapMailmanSettings } from "../../lists/mailman/map-settings";
import { type MailmanMember, mergeRosters, parseMembersText, parseRosterJson } from "../../lists/mailman/parse-members";
import { domainOf } from "../../mail/address";
import { upsertArchivePolicy } from "../../store/archive";
import { updateDeliveryMode } from "../../store/delivery-modes";
import { settingValues } from "../../store/list-settings";
import { findListByAddress, updateList } from "../../store/lists";
import { upsertMember } from "../../store/members";
import { assertDomainWrite } from "../access";
import type { ApiEnv } from "../env";
import { ApiProblem, notFound } from "../problem";
import { apiRoute, json } from "../route";
import { EmailAddress } from "../schemas";

const MAX_MEMBERS = 1000;
const Collection = z
  .record(z.string(), z.unknown())
  .openapi({ description: "A Mailman 3 REST collection ({entries: [...]})" });

export const importMailman = apiRoute("domain", {
  method: "post",
  path: "/lists/{address}/import/mailman",
  tags: ["lists"],
  summary: "Import a Mailman 3 list's settings and rosters into an existing Facteur list",
  request: {
    params: z.object({ address: EmailAddress.openapi({ param: { name: "address", in: "path" } }) }),
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({
            config: z
              .record(z.string(), z.unknown())
              .optional()
              .openapi({ description: "GET /3.1/lists/{list}/config" }),
            members: Collection.optional(),
            owners: Collection.optional(),
            moderators: Collection.optional(),
            members_text: z
              .string()
              .max(1024 * 1024)
              .optional()
              .openapi({ description: "`mailman members <list>` output" }),
            skip_confirmation: z.boolean().default(false),
          }),
        },
      },
    },
  },
  responses: {
    200: json(
      z
        .object({
          settings: z.record(z.string(), z.unknown()),
          archive_policy: z.string().nullable(),
          unmapped: z.array(z.object({ setting: z.string(), value: z.unknown(), reason: z.string() })),
          members: z.object({ added: z.number(), pending: z.number(), owners: z.number(), moderators: z.number() }),
          errors: z.array(z.string()),
        })
        .openapi("MailmanImportReport"),
      "What was applied, and what has no equivalent",
    ),
  },
});

const handler: RouteHandler<typeof importMailman, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  const body = c.req.valid("json");
  assertDomainWrite(c.get("access"), domainOf(address));
  const list = await findListByAddress(c.env.DB, address);
  if (!list) throw notFound(`list ${address}`);
  const now = Date.now();
  const errors: string[] = [];
  const rosters: MailmanMember[][] = [];
  for (const [name, role] of [
    ["members", "member"],
    ["owners", "owner"],
    ["moderators", "moderator"],
  ] as const) {
    if (!body[name]) continue;
    const parsed = parseRosterJson(body[name], role);
    rosters.push(parsed.members.map((m) => (name === "members" ? m : { ...m, role })));
    errors.push(...parsed.errors.map((e) => `${name}.${e}`));
  }
  if (body.members_text) {
    const parsed = parseMembersText(body.members_text);
    rosters.push(parsed.members);
    errors.push(...parsed.errors.map((e) => `members_text: ${e}`));
  }
  const members = mergeRosters(...rosters);
  if (members.length > MAX_MEMBERS) {
    throw new ApiProblem(422, "unprocessable", `at most ${MAX_MEMBERS} members per request; split the roster`);
  }
  const mapped = body.config ? mapMailmanSettings(body.config) : { settings: {}, archivePolicy: null, unmapped: [] };
  if (Object.keys(mapped.settings).length)
    await updateList(c.env.DB, list.address, settingValues(mapped.settings), now);
  if (mapped.archivePolicy) await upsertArchivePolicy(c.env.DB, list.address, mapped.archivePolicy, now);
  const status = body.skip_confirmation ? "active" : "pending";
  const statements = members.map((m) =>
    upsertMember(c.env.DB, list.address, { address: m.address, displayName: m.displayName, role: m.role, status }, now),
  );
  for (let i = 0; i < statements.length; i += 100) await c.env.DB.batch(statements.slice(i, i + 100));
  for (const m of members) {
    if (m.deliveryMode !== "each") await updateDeliveryMode(c.env.DB, list.address, m.address, m.deliveryMode, now);
  }
  if (!body.skip_confirmation) {
    // In pages from the fan-out queue, not from this request (issue 10 item 12).
    await queueConfirmations(c.env, {
      messageLogId: newId(now),
      list: list.address,
      action: "subscribe",
      addresses: members.map((m) => m.address),
      requestedAt: now,
    });
  }
  return c.json(
    {
      settings: mapped.settings,
      archive_policy: mapped.archivePolicy,
      unmapped: mapped.unmapped,
      members: {
        added: body.skip_confirmation ? members.length : 0,
        pending: body.skip_confirmation ? 0 : members.length,
        owners: members.filter((m) => m.role === "owner").length,
        moderators: members.filter((m) => m.role === "moderator").length,
      },
      errors,
    },
    200,
  );
};

export const mailmanImport = new OpenAPIHono<ApiEnv>().openapi(importMailman, handler);
