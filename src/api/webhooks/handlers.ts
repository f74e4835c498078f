import type { RouteHandler } from "@hono/zod-openapi";
import { newId } from "../../core/ids";
import { domainOf, lookupKey } from "../../mail/address";
import { findAliasByAddress } from "../../store/aliases";
import { findDomainByName } from "../../store/domains";
import { listWebhookDeliveries } from "../../store/webhook-deliveries";
import {
  deleteWebhook,
  findWebhook,
  insertWebhook,
  listWebhooks,
  setWebhookEnabled,
  updateWebhookUrl,
  type Webhook,
} from "../../store/webhooks";
import { isWebhookSecret, newWebhookSecret, sealWebhookSecret } from "../../webhooks/secret";
import { webhookUrlProblem } from "../../webhooks/url-policy";
import { assertDomainRead, assertDomainWrite, visibleDomains } from "../access";
import type { ApiEnv } from "../env";
import { ApiProblem, notFound } from "../problem";
import { iso, isoRequired } from "../schemas";
import type {
  createWebhook,
  deleteWebhook as deleteWebhookRoute,
  getWebhook,
  listWebhookDeliveries as listWebhookDeliveriesRoute,
  listWebhooks as listWebhooksRoute,
  updateWebhook,
} from "./routes";

function webhookBody(hook: Webhook) {
  return {
    id: hook.id,
    domain: hook.domain,
    alias: hook.alias,
    url: hook.url,
    enabled: hook.enabled,
    disabled_reason: hook.disabledReason,
    created_at: isoRequired(hook.createdAt),
    updated_at: isoRequired(hook.updatedAt),
  };
}

function unprocessable(field: string, detail: string): ApiProblem {
  return new ApiProblem(422, "unprocessable", `${field}: ${detail}`, { errors: [{ field, detail, in: "json" }] });
}

function checkUrl(env: Env, url: string): void {
  const problem = webhookUrlProblem(url, env.ENVIRONMENT);
  if (problem) throw unprocessable("url", problem);
}

export const listWebhooksHandler: RouteHandler<typeof listWebhooksRoute, ApiEnv> = async (c) => {
  const hooks = await listWebhooks(c.env.DB, visibleDomains(c.get("access")));
  return c.json({ items: hooks.map(webhookBody) }, 200);
};

export const createWebhookHandler: RouteHandler<typeof createWebhook, ApiEnv> = async (c) => {
  const body = c.req.valid("json");
  const domain = body.alias ? domainOf(body.alias) : (body.domain as string);
  if (body.alias && body.domain && body.domain !== domain) throw unprocessable("domain", "is not the alias's domain");
  assertDomainWrite(c.get("access"), domain);
  checkUrl(c.env, body.url);
  if (!(await findDomainByName(c.env.DB, domain))) throw unprocessable("domain", `Facteur does not serve ${domain}`);
  if (body.alias && !(await findAliasByAddress(c.env.DB, body.alias))) {
    throw unprocessable("alias", `no alias ${body.alias}`);
  }
  if (body.secret !== undefined && !isWebhookSecret(body.secret)) {
    throw unprocessable("secret", "must be whsec_ followed by base64 of 24 to 64 bytes");
  }
  const secret = body.secret ?? newWebhookSecret();
  const id = `wh_${newId()}`;
  const sealedSecret = await sealWebhookSecret(c.env, id, secret);
  const alias = body.alias ? lookupKey(body.alias) : null;
  await insertWebhook(c.env.DB, { id, domain, alias, url: body.url, sealedSecret }).run();
  const hook = await findWebhook(c.env.DB, id);
  if (!hook) throw notFound(`webhook ${id}`);
  return c.json({ ...webhookBody(hook), secret }, 201);
};

async function visibleHook(c: { env: Env; get: (key: "access") => ApiEnv["Variables"]["access"] }, id: string) {
  const hook = await findWebhook(c.env.DB, id);
  if (!hook) throw notFound(`webhook ${id}`);
  assertDomainRead(c.get("access"), hook.domain);
  return hook;
}

export const getWebhookHandler: RouteHandler<typeof getWebhook, ApiEnv> = async (c) => {
  return c.json(webhookBody(await visibleHook(c, c.req.valid("param").id)), 200);
};

export const updateWebhookHandler: RouteHandler<typeof updateWebhook, ApiEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const body = c.req.valid("json");
  const hook = await visibleHook(c, id);
  assertDomainWrite(c.get("access"), hook.domain);
  if (body.url !== undefined) checkUrl(c.env, body.url);
  const statements = [
    ...(body.url !== undefined ? [updateWebhookUrl(c.env.DB, id, body.url)] : []),
    ...(body.enabled !== undefined ? [setWebhookEnabled(c.env.DB, id, body.enabled, "disabled through the API")] : []),
  ];
  if (statements.length > 0) await c.env.DB.batch(statements);
  return c.json(webhookBody(await visibleHook(c, id)), 200);
};

export const deleteWebhookHandler: RouteHandler<typeof deleteWebhookRoute, ApiEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const hook = await visibleHook(c, id);
  assertDomainWrite(c.get("access"), hook.domain);
  if (!(await deleteWebhook(c.env.DB, id))) throw notFound(`webhook ${id}`);
  return c.json({ deleted: true as const }, 200);
};

export const listWebhookDeliveriesHandler: RouteHandler<typeof listWebhookDeliveriesRoute, ApiEnv> = async (c) => {
  const hook = await visibleHook(c, c.req.valid("param").id);
  const deliveries = await listWebhookDeliveries(c.env.DB, hook.id, 100);
  const items = deliveries.map((d) => ({
    id: d.id,
    message_id: d.messageLogId,
    status: d.status,
    attempts: d.attemptLog.map((a) => ({
      attempt: a.attempt,
      at: isoRequired(a.at),
      status: a.status,
      error: a.error,
      duration_ms: a.durationMs,
    })),
    next_attempt_at: iso(d.nextAttemptAt),
    created_at: isoRequired(d.createdAt),
  }));
  return c.json({ items }, 200);
};
