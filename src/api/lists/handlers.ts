import type { RouteHandler } from "@hono/zod-openapi";
import { newId } from "../../core/ids";
import { requestConfirmation } from "../../lists/commands";
import { moderateHeld as moderate } from "../../lists/moderation";
import { findHeldById, type HeldMessage, listHeld as listHeldRows } from "../../lists/store/held";
import {
  deleteList as deleteListRow,
  findListByAddress,
  insertList,
  listLists as listListRows,
  type NewList,
  updateList as updateListRow,
} from "../../lists/store/lists";
import {
  deleteMember as deleteMemberRow,
  findMember,
  listMembers as listMemberRows,
  updateMember as updateMemberRow,
  upsertMember,
} from "../../lists/store/members";
import type {
  DmarcMode,
  List,
  ListPolicy,
  Member,
  MemberRole,
  MemberStatus,
  NonMemberAction,
  ReplyToPolicy,
} from "../../lists/types";
import { domainOf } from "../../mail/address";
import { LIST_SUFFIXES } from "../../store/routing";
import { assertDomainRead, assertDomainWrite, forbidden, visibleDomains } from "../access";
import type { ApiEnv } from "../env";
import { decodeCursor, encodeCursor } from "../pagination";
import { ApiProblem, conflict, notFound } from "../problem";
import { iso, isoRequired } from "../schemas";
import type {
  addMembers,
  createList,
  deleteList,
  deleteMember,
  getList,
  getMember,
  listHeld,
  listLists,
  listMembers,
  moderateHeld,
  updateList,
  updateMember,
} from "./routes";

export function listBody(list: List) {
  return {
    address: list.address,
    domain: list.domain,
    name: list.name,
    description: list.description,
    policy: list.policy,
    non_member_action: list.nonMemberAction,
    dmarc_mode: list.dmarcMode,
    dmarc_always_domains: list.dmarcAlwaysDomains,
    subject_prefix: list.subjectPrefix,
    reply_to: list.replyTo,
    max_message_bytes: list.maxMessageBytes,
    hold_days: list.holdDays,
    bounce_threshold: list.bounceThreshold,
    bounce_quiet_days: list.bounceQuietDays,
    archive_url: list.archiveUrl,
    enabled: list.enabled,
    created_at: isoRequired(list.createdAt),
    updated_at: isoRequired(list.updatedAt),
  };
}

export function memberBody(member: Member) {
  return {
    address: member.address,
    display_name: member.displayName,
    role: member.role,
    status: member.status,
    receive_own: member.receiveOwn,
    bounce_score: member.bounceScore,
    last_bounce_at: iso(member.lastBounceAt),
    disabled_reason: member.disabledReason,
    created_at: isoRequired(member.createdAt),
    updated_at: isoRequired(member.updatedAt),
  };
}

function heldBody(held: HeldMessage) {
  return {
    id: held.id,
    list: held.listAddress,
    rule: held.rule,
    reason: held.reason,
    author: held.author,
    subject: held.subject,
    size: held.size,
    authenticated: held.authenticated,
    created_at: isoRequired(held.createdAt),
    expires_at: isoRequired(held.expiresAt),
  };
}

type Settings = Partial<{
  name: string;
  description: string | null;
  policy: string;
  non_member_action: string;
  dmarc_mode: string;
  dmarc_always_domains: string[];
  subject_prefix: string | null;
  reply_to: string;
  max_message_bytes: number;
  hold_days: number;
  bounce_threshold: number;
  bounce_quiet_days: number;
  archive_url: string | null;
  enabled: boolean;
}>;

function toNewList(body: Settings): Omit<NewList, "address"> {
  return {
    name: body.name,
    description: body.description,
    policy: body.policy as ListPolicy | undefined,
    nonMemberAction: body.non_member_action as NonMemberAction | undefined,
    dmarcMode: body.dmarc_mode as DmarcMode | undefined,
    dmarcAlwaysDomains: body.dmarc_always_domains,
    subjectPrefix: body.subject_prefix,
    replyTo: body.reply_to as ReplyToPolicy | undefined,
    maxMessageBytes: body.max_message_bytes,
    holdDays: body.hold_days,
    bounceThreshold: body.bounce_threshold,
    bounceQuietDays: body.bounce_quiet_days,
    archiveUrl: body.archive_url,
    enabled: body.enabled,
  };
}

async function requireList(db: D1Database, address: string): Promise<List> {
  const list = await findListByAddress(db, address);
  if (!list) throw notFound(`list ${address}`);
  return list;
}

export const listListsHandler: RouteHandler<typeof listLists, ApiEnv> = async (c) => {
  const { limit, cursor, domain } = c.req.valid("query");
  const only = visibleDomains(c.get("access"));
  if (domain && only && !only.includes(domain)) throw forbidden(`this token cannot see domain ${domain}`);
  if (!domain && only && only.length !== 1) {
    // A token for several domains lists one domain at a time (keeps the query simple).
    if (only.length === 0) return c.json({ items: [], next_cursor: null }, 200);
    throw new ApiProblem(400, "bad-request", "give ?domain= (this token covers several domains)");
  }
  const page = await listListRows(c.env.DB, { limit, cursor: decodeCursor(cursor), domain: domain ?? only?.[0] });
  return c.json(
    { items: page.items.map(listBody), next_cursor: page.nextCursor ? encodeCursor(page.nextCursor) : null },
    200,
  );
};

export const createListHandler: RouteHandler<typeof createList, ApiEnv> = async (c) => {
  const body = c.req.valid("json");
  const domain = domainOf(body.address);
  assertDomainWrite(c.get("access"), domain);
  const local = body.address.slice(0, body.address.lastIndexOf("@"));
  // A list and an alias cannot share an address (issue 4): none of the list's addresses may be one.
  const taken = [local, ...LIST_SUFFIXES.map((s) => `${local}${s}`)].map((l) => `${l}@${domain}`.toLowerCase());
  const { results } = await c.env.DB.prepare(
    "SELECT address FROM aliases WHERE lookup IN (SELECT value FROM json_each(?1)) UNION ALL SELECT address FROM lists WHERE lookup IN (SELECT value FROM json_each(?1))",
  )
    .bind(JSON.stringify(taken))
    .all<{ address: string }>();
  if (results.length > 0) throw conflict(`${results[0]!.address} is already an alias or a list address`);
  const { address, ...settings } = body;
  await insertList(c.env.DB, { address, ...toNewList(settings as Settings) }).run();
  return c.json(listBody(await requireList(c.env.DB, address)), 201);
};

export const getListHandler: RouteHandler<typeof getList, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  assertDomainRead(c.get("access"), domainOf(address));
  return c.json(listBody(await requireList(c.env.DB, address)), 200);
};

export const updateListHandler: RouteHandler<typeof updateList, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  assertDomainWrite(c.get("access"), domainOf(address));
  if (!(await updateListRow(c.env.DB, address, toNewList(c.req.valid("json") as Settings))))
    throw notFound(`list ${address}`);
  return c.json(listBody(await requireList(c.env.DB, address)), 200);
};

export const deleteListHandler: RouteHandler<typeof deleteList, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  assertDomainWrite(c.get("access"), domainOf(address));
  if (!(await deleteListRow(c.env.DB, address))) throw notFound(`list ${address}`);
  return c.json({ deleted: true as const }, 200);
};

export const listMembersHandler: RouteHandler<typeof listMembers, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  const { limit, cursor, status } = c.req.valid("query");
  assertDomainRead(c.get("access"), domainOf(address));
  const list = await requireList(c.env.DB, address);
  const page = await listMemberRows(c.env.DB, list.address, {
    limit,
    cursor: decodeCursor(cursor),
    status: status as MemberStatus | undefined,
  });
  return c.json(
    { items: page.items.map(memberBody), next_cursor: page.nextCursor ? encodeCursor(page.nextCursor) : null },
    200,
  );
};

export const addMembersHandler: RouteHandler<typeof addMembers, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  const body = c.req.valid("json");
  assertDomainWrite(c.get("access"), domainOf(address));
  const list = await requireList(c.env.DB, address);
  const now = Date.now();
  const status: MemberStatus = body.skip_confirmation ? "active" : "pending";
  const statements = body.members.map((m) =>
    upsertMember(
      c.env.DB,
      list.address,
      {
        address: m.address,
        displayName: m.display_name ?? null,
        role: m.role as MemberRole,
        status,
        receiveOwn: m.receive_own,
      },
      now,
    ),
  );
  // D1 batches are one transaction: an import is all or nothing.
  await c.env.DB.batch(statements);
  if (!body.skip_confirmation) {
    // Double opt-in: each address confirms by replying to its token (commands.ts).
    const messageLogId = newId(now);
    for (const m of body.members) {
      await requestConfirmation(c.env, { list, address: m.address, action: "subscribe", messageLogId, now });
    }
  }
  const items: Member[] = [];
  for (const m of body.members.slice(0, 100)) {
    const member = await findMember(c.env.DB, list.address, m.address);
    if (member) items.push(member);
  }
  return c.json(
    {
      added: body.skip_confirmation ? body.members.length : 0,
      pending: body.skip_confirmation ? 0 : body.members.length,
      items: items.map(memberBody),
    },
    201,
  );
};

async function requireMember(db: D1Database, list: string, member: string): Promise<Member> {
  const row = await findMember(db, list, member);
  if (!row) throw notFound(`member ${member} of ${list}`);
  return row;
}

export const getMemberHandler: RouteHandler<typeof getMember, ApiEnv> = async (c) => {
  const { address, member } = c.req.valid("param");
  assertDomainRead(c.get("access"), domainOf(address));
  const list = await requireList(c.env.DB, address);
  return c.json(memberBody(await requireMember(c.env.DB, list.address, member)), 200);
};

export const updateMemberHandler: RouteHandler<typeof updateMember, ApiEnv> = async (c) => {
  const { address, member } = c.req.valid("param");
  const body = c.req.valid("json");
  assertDomainWrite(c.get("access"), domainOf(address));
  const list = await requireList(c.env.DB, address);
  const changed = await updateMemberRow(c.env.DB, list.address, member, {
    displayName: body.display_name,
    role: body.role as MemberRole | undefined,
    status: body.status as MemberStatus | undefined,
    receiveOwn: body.receive_own,
    ...(body.status === "disabled" ? { disabledReason: "owner" } : {}),
  });
  if (!changed) throw notFound(`member ${member} of ${address}`);
  return c.json(memberBody(await requireMember(c.env.DB, list.address, member)), 200);
};

export const deleteMemberHandler: RouteHandler<typeof deleteMember, ApiEnv> = async (c) => {
  const { address, member } = c.req.valid("param");
  assertDomainWrite(c.get("access"), domainOf(address));
  const list = await requireList(c.env.DB, address);
  if (!(await deleteMemberRow(c.env.DB, list.address, member))) throw notFound(`member ${member} of ${address}`);
  return c.json({ deleted: true as const }, 200);
};

export const listHeldHandler: RouteHandler<typeof listHeld, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  const { limit, cursor } = c.req.valid("query");
  assertDomainRead(c.get("access"), domainOf(address));
  const list = await requireList(c.env.DB, address);
  const page = await listHeldRows(c.env.DB, list.address, { limit, cursor: decodeCursor(cursor) });
  return c.json(
    { items: page.items.map(heldBody), next_cursor: page.nextCursor ? encodeCursor(page.nextCursor) : null },
    200,
  );
};

export const moderateHeldHandler: RouteHandler<typeof moderateHeld, ApiEnv> = async (c) => {
  const { id, action } = c.req.valid("param");
  const held = await findHeldById(c.env.DB, id);
  if (!held) throw notFound(`held post ${id}`);
  // The path names no domain, so the held post's list decides which tokens may act.
  assertDomainWrite(c.get("access"), domainOf(held.listAddress));
  let comment: string | undefined;
  if (c.req.header("content-type")?.includes("application/json")) {
    const parsed = (await c.req.json().catch(() => ({}))) as { comment?: unknown };
    comment = typeof parsed.comment === "string" ? parsed.comment.slice(0, 1000) : undefined;
  }
  const result = await moderate(c.env, id, action, Date.now(), comment);
  if (!result.ok) {
    if (result.problem === "not-found") throw notFound(`held post ${id}`);
    throw new ApiProblem(409, "conflict", `held post ${id}: ${result.problem}`);
  }
  return c.json({ id, action, pages: result.distribution?.pages, notified: result.notified }, 200);
};
