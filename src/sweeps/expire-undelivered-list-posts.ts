/**
 * Sweep (issue 10 item 17): list post bodies that no delivery row names. A post to a list whose
 * pages all came out empty (every member suppressed, the author alone without receive_own) left
 * its body in R2 for ever: expire-finished-deliveries only deletes bodies that rows point at.
 * Bodies older than QUEUE_RETENTION_DAYS, when no fan-out page of theirs can still be queued, and
 * named by no row, are deleted. Keys are time-ordered (list/<id>.eml), so R2 lists the oldest
 * first; a cursor object lets each tick resume where the last one stopped, one bounded page a tick.
 */
import { findReferencedBodies } from "../store/delivery-lookups";
import type { Sweep } from "./sweep";

/** Queue retention (wrangler.toml, scripts/queue-retention.sh): no page is older than this. */
export const QUEUE_RETENTION_DAYS = 14;
const PREFIX = "list/";
const CURSOR_KEY = "sweeps/expire-undelivered-list-posts.cursor";
/** Objects looked at per tick: one R2 list, one D1 query, one R2 delete. */
const PAGE = 500;

export const expireUndeliveredListPosts: Sweep = {
  name: "expire-undelivered-list-posts",
  description: "delete list post bodies older than the queue retention that no delivery row names",
  async run(env, now) {
    const cutoff = now - QUEUE_RETENTION_DAYS * 86_400_000;
    const cursor = await (await env.MAIL.get(CURSOR_KEY))?.text();
    const listed = await env.MAIL.list({ prefix: PREFIX, limit: PAGE, ...(cursor ? { startAfter: cursor } : {}) });
    const old = listed.objects.filter((o) => o.uploaded.getTime() < cutoff).map((o) => o.key);
    const referenced = await findReferencedBodies(env.DB, old);
    const orphaned = old.filter((key) => !referenced.has(key));
    if (orphaned.length > 0) await env.MAIL.delete(orphaned);
    // Past the old objects (or at the end): start from the oldest again next tick.
    const finished = !listed.truncated || old.length < listed.objects.length;
    if (finished) await env.MAIL.delete(CURSOR_KEY);
    else await env.MAIL.put(CURSOR_KEY, old.at(-1) ?? "");
    return orphaned.length;
  },
};
