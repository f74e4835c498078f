/** /api/v1/lists/{address}/members: adding (with double opt-in), reading, changing, removing members. */
import type { RouteHandler } from "@hono/zod-openapi";
import { newId } from "../../core/ids";
import { queueConfirmations } from "../../lists/confirmation-pages";
import { domainOf } from "../../mail/address";
import {
  deleteMember as deleteMemberRow,
  findMember,
  listMembers as listMemberRows,
  type Member,
  type MemberStatus,
  updateMember as updateMemberRow,
  upsertMember,
} from "../../store/members";
import { assertDomainRead, assertDomainWrite } from "../access";
import type { ApiEnv } from "../env";
import { decodeCursor, pageBody } from "../pagination";
import { notFound } from "../problem";
import { iso, isoRequired } from "../schemas";
import { requireList } from "./list-handlers";
import type { addMembers, deleteMember, getMember, listMembers, updateMember } from "./routes";

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

async function requireMember(db: D1Database, list: string, member: string): Promise<Member> {
  const row = await findMember(db, list, member);
  if (!row) throw notFound(`member ${member} of ${list}`);
  return row;
}

export const listMembersHandler: RouteHandler<typeof listMembers, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  const { limit, cursor, status, q } = c.req.valid("query");
  assertDomainRead(c.get("access"), domainOf(address));
  const list = await requireList(c.env.DB, address);
  const page = await listMemberRows(c.env.DB, list.address, { limit, after: decodeCursor(cursor), status, q });
  return c.json(pageBody(page, memberBody), 200);
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
      { address: m.address, displayName: m.display_name ?? null, role: m.role, status, receiveOwn: m.receive_own },
      now,
    ),
  );
  // D1 batches are one transaction: an import is all or nothing.
  await c.env.DB.batch(statements);
  if (!body.skip_confirmation) {
    // Double opt-in: each address confirms by replying to its token (commands.ts). The mails go
    // out from the fan-out queue in pages (issue 10 item 12), not from this request.
    await queueConfirmations(c.env, {
      messageLogId: newId(now),
      list: list.address,
      action: "subscribe",
      addresses: body.members.map((m) => m.address),
      requestedAt: now,
    });
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
    role: body.role,
    status: body.status,
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
