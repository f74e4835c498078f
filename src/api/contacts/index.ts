/** Reverse-alias contacts, alias options and "block this sender" from the inbound log. */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../env";
import {
  blockSenderHandler,
  createContactHandler,
  getDefaultHandler,
  getOptionsHandler,
  listContactsHandler,
  patchContactHandler,
  patchOptionsHandler,
  putDefaultHandler,
} from "./handlers";
import {
  blockSenderRoute,
  createContactRoute,
  getAliasOptions,
  getReverseDefault,
  listContactsRoute,
  patchAliasOptions,
  patchContactRoute,
  putReverseDefault,
} from "./routes";

export const contacts = new OpenAPIHono<ApiEnv>()
  .openapi(getAliasOptions, getOptionsHandler)
  .openapi(patchAliasOptions, patchOptionsHandler)
  .openapi(getReverseDefault, getDefaultHandler)
  .openapi(putReverseDefault, putDefaultHandler)
  .openapi(listContactsRoute, listContactsHandler)
  .openapi(createContactRoute, createContactHandler)
  .openapi(patchContactRoute, patchContactHandler)
  .openapi(blockSenderRoute, blockSenderHandler);
