/** The list archive: owners' routes under /api/v1 (OpenAPI), and the public door at /archive/. */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../env";
import {
  getArchivedAttachmentHandler,
  getArchivedPostHandler,
  getArchiveHandler,
  getArchiveMboxHandler,
  getArchiveSettingsHandler,
  listTakedownsHandler,
  putArchiveSettingsHandler,
  searchArchiveHandler,
  takeDownPostHandler,
} from "./handlers";
import {
  getArchive,
  getArchivedAttachment,
  getArchivedPost,
  getArchiveMbox,
  getArchiveSettings,
  listTakedowns,
  putArchiveSettings,
  searchArchiveRoute,
  takeDownPost,
} from "./routes";

export { publicArchive } from "./public";

export const archive = new OpenAPIHono<ApiEnv>()
  .openapi(getArchiveSettings, getArchiveSettingsHandler)
  .openapi(putArchiveSettings, putArchiveSettingsHandler)
  .openapi(searchArchiveRoute, searchArchiveHandler)
  .openapi(listTakedowns, listTakedownsHandler)
  .openapi(getArchiveMbox, getArchiveMboxHandler)
  .openapi(getArchivedAttachment, getArchivedAttachmentHandler)
  .openapi(getArchivedPost, getArchivedPostHandler)
  .openapi(takeDownPost, takeDownPostHandler)
  .openapi(getArchive, getArchiveHandler);
