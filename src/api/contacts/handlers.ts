/**
 * Reverse-alias contacts, alias options and "block this sender" (README "Reverse aliases" and
 * "Alias options"). Every handler checks the caller's scope on the alias domain itself, since a
 * log row's domain is not in the path.
 */
import type { RouteHandler } from "@hono/zod-openapi";
import { addressParser } from "postal-mime";
import { newId } from "../../core/ids";
import { domainOf, lookupKey, parseAddress } from "../../mail/address";
import { mintReverseLocal } from "../../mail/reverse-address";
import { findMatch } from "../../route/rules/alias";
import {
  type AliasOptions,
  findAliasOptions,
  findReverseAliasDefault,
  updateAliasOptions,
  updateReverseAliasDefault,
} from "../../store/alias-options";
import {
  blockContact,
  type Contact,
  ensureContact,
  listContacts,
  reverseAddressOf,
  updateContactBlocked,
} from "../../store/contacts";
import { findLoggedMessage } from "../../store/messages";
import { findRoutingFacts } from "../../store/routing";
import { assertDomainRead, assertDomainWrite } from "../access";
import type { ApiEnv } from "../env";
import { decodeCursor, pageBody } from "../pagination";
import { ApiProblem, notFound } from "../problem";
import { iso, isoRequired } from "../schemas";
import type {
  blockSenderRoute,
  createContactRoute,
  getAliasOptions,
  getReverseDefault,
  listContactsRoute,
  patchAliasOptions,
  patchContactRoute,
  putReverseDefault,
} from "./routes";

export function contactBody(contact: Contact) {
  return {
    id: contact.id,
    alias: contact.alias,
    address: contact.address,
    reverse_address: reverseAddressOf(contact),
    blocked: contact.blocked,
    created_at: isoRequired(contact.createdAt),
    last_seen_at: iso(contact.lastSeenAt),
  };
}

function optionsBody(options: AliasOptions) {
  return {
    alias: options.address,
    reverse_aliases: options.reverseAliases,
    expires_at: iso(options.expiresAt),
    disabled_action: options.disabledAction,
    disabled_reply: options.disabledReply,
    blocked_action: options.blockedAction,
    counters: options.counters,
  };
}

function unprocessable(field: string, detail: string, where = "path"): ApiProblem {
  return new ApiProblem(422, "unprocessable", `${field}: ${detail}`, { errors: [{ field, detail, in: where }] });
}

export const getOptionsHandler: RouteHandler<typeof getAliasOptions, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  assertDomainRead(c.get("access"), domainOf(address));
  const options = await findAliasOptions(c.env.DB, address);
  if (!options) throw notFound(`alias ${address}`);
  return c.json(optionsBody(options), 200);
};

export const patchOptionsHandler: RouteHandler<typeof patchAliasOptions, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  const body = c.req.valid("json");
  assertDomainWrite(c.get("access"), domainOf(address));
  const options = await updateAliasOptions(c.env.DB, address, {
    reverseAliases: body.reverse_aliases,
    expiresAt:
      body.expires_at === undefined ? undefined : body.expires_at === null ? null : Date.parse(body.expires_at),
    disabledAction: body.disabled_action,
    disabledReply: body.disabled_reply,
    blockedAction: body.blocked_action,
  });
  if (!options) throw notFound(`alias ${address}`);
  return c.json(optionsBody(options), 200);
};

export const getDefaultHandler: RouteHandler<typeof getReverseDefault, ApiEnv> = async (c) => {
  const { domain } = c.req.valid("param");
  assertDomainRead(c.get("access"), domain);
  const value = await findReverseAliasDefault(c.env.DB, domain);
  if (value === null) throw notFound(`domain ${domain}`);
  return c.json({ domain, default: value }, 200);
};

export const putDefaultHandler: RouteHandler<typeof putReverseDefault, ApiEnv> = async (c) => {
  const { domain } = c.req.valid("param");
  const body = c.req.valid("json");
  assertDomainWrite(c.get("access"), domain);
  if (!(await updateReverseAliasDefault(c.env.DB, domain, body.default))) throw notFound(`domain ${domain}`);
  return c.json({ domain, default: body.default }, 200);
};

export const listContactsHandler: RouteHandler<typeof listContactsRoute, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  const { limit, cursor } = c.req.valid("query");
  assertDomainRead(c.get("access"), domainOf(address));
  const page = await listContacts(c.env.DB, lookupKey(address), { after: decodeCursor(cursor), limit });
  return c.json(pageBody(page, contactBody), 200);
};

export const createContactHandler: RouteHandler<typeof createContactRoute, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  const body = c.req.valid("json");
  const domain = domainOf(address);
  assertDomainWrite(c.get("access"), domain);
  const options = await findAliasOptions(c.env.DB, address);
  if (!options) throw unprocessable("address", `no alias ${address}`);
  if (options.address.includes("*")) throw unprocessable("address", "a wildcard pattern has no address to reply from");
  const contact = {
    id: newId(),
    alias: lookupKey(address),
    domain,
    address: body.address,
    reverseLocal: mintReverseLocal(),
  };
  const made = body.blocked
    ? await blockContact(c.env.DB, contact, Date.now())
    : await ensureContact(c.env.DB, contact, Date.now());
  return c.json(contactBody(made), 201);
};

export const patchContactHandler: RouteHandler<typeof patchContactRoute, ApiEnv> = async (c) => {
  const { address, id } = c.req.valid("param");
  const body = c.req.valid("json");
  assertDomainWrite(c.get("access"), domainOf(address));
  const contact = await updateContactBlocked(c.env.DB, lookupKey(address), id, body.blocked);
  if (!contact) throw notFound(`contact ${id} of ${address}`);
  return c.json(contactBody(contact), 200);
};

/** The single From author of a logged header value, or null (none, several, or invalid). */
function singleAuthor(fromHeader: string | null): string | null {
  if (!fromHeader) return null;
  const entries = addressParser(fromHeader, { flatten: true }).filter((e) => e.address);
  return entries.length === 1 ? (parseAddress(entries[0]!.address ?? "")?.address ?? null) : null;
}

export const blockSenderHandler: RouteHandler<typeof blockSenderRoute, ApiEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const logged = await findLoggedMessage(c.env.DB, id);
  if (!logged) throw notFound(`message ${id}`);
  const rcpt = parseAddress(logged.rcptTo);
  if (!rcpt) throw unprocessable("id", "the logged recipient is not one address");
  assertDomainWrite(c.get("access"), rcpt.domain);
  // The alias the message was routed to, resolved as routing resolves it (exact, subaddress, pattern).
  const match = findMatch(await findRoutingFacts(c.env.DB, rcpt.local, rcpt.domain));
  if (!match || match.kind === "catch-all") throw unprocessable("id", `${rcpt.address} is not an alias`);
  const sender = singleAuthor(logged.fromHeader);
  if (!sender) throw unprocessable("id", "the logged message has no single From author");
  const contact = await blockContact(
    c.env.DB,
    {
      id: newId(),
      alias: lookupKey(match.address),
      domain: rcpt.domain,
      address: sender,
      reverseLocal: mintReverseLocal(),
    },
    Date.now(),
  );
  return c.json(contactBody(contact), 200);
};
