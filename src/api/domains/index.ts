/** /api/v1/domains: the domains Facteur serves, with catch-all and relay override. */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../env";
import {
  createDomainHandler,
  deleteDomainHandler,
  getDomainHandler,
  listDomainsHandler,
  updateDomainHandler,
} from "./handlers";
import { createDomain, deleteDomain, getDomain, listDomains, updateDomain } from "./routes";

export const domains = new OpenAPIHono<ApiEnv>()
  .openapi(listDomains, listDomainsHandler)
  .openapi(createDomain, createDomainHandler)
  .openapi(getDomain, getDomainHandler)
  .openapi(updateDomain, updateDomainHandler)
  .openapi(deleteDomain, deleteDomainHandler);
