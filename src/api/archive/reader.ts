/**
 * What an archive reader gets, for both doors: the admin API (owners' tokens, full addresses) and
 * the public pages (/archive/…, addresses obfuscated when the list is public). Each function
 * answers JSON-ready data or null for "no such thing".
 */
import { type ArchivedPost, listArchivedPosts, listArchiveMonths, searchArchive } from "../../store/archive";
import { iso } from "../schemas";
import { obfuscateAddresses, renderPost } from "./render";

const PAGE = 200;

export function postSummary(post: ArchivedPost, obfuscate: boolean) {
  const hide = (v: string | null) => (v && obfuscate ? obfuscateAddresses(v) : v);
  return {
    id: post.id,
    thread: post.threadId,
    month: post.month,
    subject: post.subject,
    author: hide(post.author),
    date: post.dateHeader,
    message_id: hide(post.messageId),
    in_reply_to: hide(post.inReplyTo),
    references: hide(post.references),
    size: post.size,
    archived_at: iso(post.archivedAt),
  };
}

export async function readMonths(db: D1Database, list: string) {
  return { list, months: await listArchiveMonths(db, list) };
}

export async function readPosts(
  db: D1Database,
  list: string,
  filter: { month?: string; threadId?: string },
  after: string | undefined,
  obfuscate: boolean,
) {
  const posts = await listArchivedPosts(db, list, filter, { after, limit: PAGE + 1 });
  const page = posts.slice(0, PAGE);
  return {
    items: page.map((post) => postSummary(post, obfuscate)),
    next: posts.length > PAGE ? (page.at(-1)?.id ?? null) : null,
  };
}

export async function readPost(env: Pick<Env, "MAIL">, post: ArchivedPost, obfuscate: boolean) {
  const object = await env.MAIL.get(post.r2Key);
  if (!object) return null;
  return { ...postSummary(post, obfuscate), ...(await renderPost(await object.arrayBuffer(), obfuscate)) };
}

/** FTS5 query syntax is not for readers: each word becomes a quoted term, all must match. */
export function ftsQuery(q: string): string {
  return q
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 20)
    .map((word) => `"${word.replace(/"/g, '""')}"`)
    .join(" ");
}

export async function readSearch(db: D1Database, list: string, q: string, obfuscate: boolean) {
  const query = ftsQuery(q);
  const hits = query ? await searchArchive(db, list, query, 50) : [];
  return {
    items: hits.map((hit) => ({ id: hit.id, snippet: obfuscate ? obfuscateAddresses(hit.snippet) : hit.snippet })),
  };
}
