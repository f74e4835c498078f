/**
 * Mailing lists in the admin API (/api/v1, mounted by the lead in src/api/index.ts) and the
 * public one-click unsubscribe endpoints (RFC 8058, mounted at the root: no credentials, the
 * signed token is the authority).
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../env";
import { listHeldHandler, moderateHeldHandler } from "./held-handlers";
import {
  createListHandler,
  deleteListHandler,
  getListHandler,
  listListsHandler,
  updateListHandler,
} from "./list-handlers";
import {
  addMembersHandler,
  deleteMemberHandler,
  getMemberHandler,
  listMembersHandler,
  updateMemberHandler,
} from "./member-handlers";
import {
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

export { unsubscribe } from "./unsubscribe";

export const lists = new OpenAPIHono<ApiEnv>()
  .openapi(listLists, listListsHandler)
  .openapi(createList, createListHandler)
  .openapi(getList, getListHandler)
  .openapi(updateList, updateListHandler)
  .openapi(deleteList, deleteListHandler)
  .openapi(listMembers, listMembersHandler)
  .openapi(addMembers, addMembersHandler)
  .openapi(getMember, getMemberHandler)
  .openapi(updateMember, updateMemberHandler)
  .openapi(deleteMember, deleteMemberHandler)
  .openapi(listHeld, listHeldHandler)
  .openapi(moderateHeld, moderateHeldHandler);
