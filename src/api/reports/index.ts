/** /api/v1/domains/{domain}/dmarc/… and /tls/…: the reports the domain received, and summaries. */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../env";
import {
  getDmarcSourceHandler,
  getDmarcSummaryHandler,
  listDmarcReportsHandler,
  listTlsReportsHandler,
} from "./handlers";
import { getDmarcSource, getDmarcSummary, listDmarcReports, listTlsReports } from "./routes";
import { getReporting, getReportingHandler, patchReporting, patchReportingHandler } from "./settings";

export const reports = new OpenAPIHono<ApiEnv>()
  .openapi(listDmarcReports, listDmarcReportsHandler)
  .openapi(getDmarcSummary, getDmarcSummaryHandler)
  .openapi(getDmarcSource, getDmarcSourceHandler)
  .openapi(listTlsReports, listTlsReportsHandler)
  .openapi(getReporting, getReportingHandler)
  .openapi(patchReporting, patchReportingHandler);
