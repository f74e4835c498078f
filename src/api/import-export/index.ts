/** /api/v1/import and /api/v1/export: the users database in, everything out. */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../env";
import { exportDatabaseHandler, exportObjectHandler, importDatabaseHandler } from "./handlers";
import {
  ExportedAlias,
  ExportedDestination,
  ExportedDomain,
  ExportedUser,
  exportDatabase,
  exportObject,
  importDatabase,
  PttUser,
} from "./routes";

export const importExport = new OpenAPIHono<ApiEnv>()
  .openapi(importDatabase, importDatabaseHandler)
  .openapi(exportDatabase, exportDatabaseHandler)
  .openapi(exportObject, exportObjectHandler);

// The entry schemas are validated one by one (per-entry errors), so register them for the document.
for (const [name, schema] of Object.entries({
  PttUser,
  ExportedDomain,
  ExportedDestination,
  ExportedUser,
  ExportedAlias,
})) {
  importExport.openAPIRegistry.register(name, schema);
}
