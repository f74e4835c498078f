/**
 * The public door of the archive, /archive/{list}/…, with no API token. Who may read is the
 * list's archive policy, read at every request (so a change applies to every archived post):
 * public → anyone, addresses obfuscated; members → HTTP Basic as a Facteur user one of whose
 * mailboxes is an active member (or owner, moderator); owners → a user who is an owner or
 * moderator of the list; off → nobody (404, as if there were no archive).
 */
import { Hono, type MiddlewareHandler } from "hono";
import { authRetryAfter, recordAuthFailure } from "../../credentials/auth-throttle";
import { clientThrottleKey } from "../../credentials/throttle-keys";
import { type ArchivePolicy, findArchivedPost, findArchivePolicy } from "../../store/archive";
import { findListByAddress } from "../../store/lists";
import { findMember } from "../../store/members";
import { findUserByName } from "../../store/users";
import type { ApiEnv } from "../env";
import { basicAccess, basicCredentials } from "../middleware/authenticate";
import { readMonths, readPost, readPosts, readSearch } from "./reader";

type Reader = "anyone" | "member" | "owner";

async function readerOf(env: Env, list: string, authorization: string | undefined, ip: string): Promise<Reader> {
  const [scheme, encoded] = (authorization ?? "").split(" ");
  if (scheme?.toLowerCase() !== "basic" || !encoded) return "anyone";
  // Password guesses here count against the same per-client budget as the API's.
  const client = clientThrottleKey(ip);
  if ((await authRetryAfter(env.DB, client)) !== null) return "anyone";
  const credentials = basicCredentials(encoded);
  const access = credentials ? await basicAccess(env, credentials) : null;
  if (!access) await recordAuthFailure(env.DB, client);
  if (!access?.userName) return "anyone";
  if (access.admin) return "owner";
  const user = await findUserByName(env.DB, access.userName);
  let reader: Reader = "anyone";
  for (const mailbox of user?.mailboxes ?? []) {
    const member = await findMember(env.DB, list, mailbox);
    if (member?.status !== "active") continue;
    if (member.role !== "member") return "owner";
    reader = "member";
  }
  return reader;
}

const ALLOWED: Record<ArchivePolicy, Reader[]> = {
  public: ["anyone", "member", "owner"],
  members: ["member", "owner"],
  owners: ["owner"],
  off: [],
};

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const publicArchive = new Hono<ApiEnv>();

const guard: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const list = await findListByAddress(c.env.DB, decodeURIComponent(c.req.param("list") ?? ""));
  const policy = list ? await findArchivePolicy(c.env.DB, list.address) : "off";
  if (!list || policy === "off") return c.json({ title: "no such archive" }, 404);
  const reader = await readerOf(
    c.env,
    list.address,
    c.req.header("authorization"),
    c.req.header("cf-connecting-ip") ?? "unknown",
  );
  if (!ALLOWED[policy].includes(reader)) {
    c.header("www-authenticate", 'Basic realm="facteur archive", charset="UTF-8"');
    return c.json({ title: `this archive is open to the list's ${policy}` }, 401);
  }
  c.set("archiveList" as never, { address: list.address, obfuscate: reader === "anyone" } as never);
  await next();
};
publicArchive.use("/archive/:list", guard);
publicArchive.use("/archive/:list/*", guard);

const target = (c: { get: (key: never) => unknown }) =>
  c.get("archiveList" as never) as { address: string; obfuscate: boolean };

publicArchive.get("/archive/:list", async (c) => c.json(await readMonths(c.env.DB, target(c).address)));
publicArchive.get("/archive/:list/months/:month", async (c) => {
  const { address, obfuscate } = target(c);
  return c.json(await readPosts(c.env.DB, address, { month: c.req.param("month") }, c.req.query("after"), obfuscate));
});
publicArchive.get("/archive/:list/threads/:thread", async (c) => {
  const { address, obfuscate } = target(c);
  return c.json(
    await readPosts(c.env.DB, address, { threadId: c.req.param("thread") }, c.req.query("after"), obfuscate),
  );
});
publicArchive.get("/archive/:list/search", async (c) => {
  const { address, obfuscate } = target(c);
  return c.json(await readSearch(c.env.DB, address, (c.req.query("q") ?? "").slice(0, 200), obfuscate));
});
publicArchive.get("/archive/:list/posts/:id", async (c) => {
  const { address, obfuscate } = target(c);
  const stored = await findArchivedPost(c.env.DB, address, c.req.param("id"));
  const post = stored ? await readPost(c.env, stored, obfuscate) : null;
  if (!post) return c.json({ title: "no such post" }, 404);
  if (c.req.header("accept")?.includes("application/json")) return c.json(post);
  const body = post.html ?? `<pre>${escapeHtml(post.text ?? "")}</pre>`;
  const attachments = post.attachments
    .map(
      (a) =>
        `<li>${escapeHtml(a.filename ?? `attachment ${a.index}`)} (${escapeHtml(a.content_type)}, ${a.size} bytes)</li>`,
    )
    .join("");
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<title>${escapeHtml(post.subject ?? "(no subject)")}</title></head><body><main><h1>${escapeHtml(post.subject ?? "(no subject)")}</h1>
<p>${escapeHtml(post.author ?? "")} · ${escapeHtml(post.date ?? "")}</p><article>${body}</article>${attachments ? `<ul>${attachments}</ul>` : ""}</main></body></html>`;
  return c.html(html, 200, { "content-security-policy": CSP, "referrer-policy": "no-referrer" });
});
