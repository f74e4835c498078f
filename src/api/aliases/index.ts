/** /api/v1/aliases: addresses on our domains and where their mail goes. */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../env";
import {
  createAliasHandler,
  deleteAliasHandler,
  getAliasHandler,
  listAliasesHandler,
  updateAliasHandler,
} from "./handlers";
import { createAlias, deleteAlias, getAlias, listAliases, updateAlias } from "./routes";

export const aliases = new OpenAPIHono<ApiEnv>()
  .openapi(listAliases, listAliasesHandler)
  .openapi(createAlias, createAliasHandler)
  .openapi(getAlias, getAliasHandler)
  .openapi(updateAlias, updateAliasHandler)
  .openapi(deleteAlias, deleteAliasHandler);
