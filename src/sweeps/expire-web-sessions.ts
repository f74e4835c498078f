/**
 * Sweep: web sessions that can no longer sign anyone in (absolute expiry, idle past
 * SESSION_IDLE_MS, revoked) and expired member sign-in links. loadSession already refuses them;
 * this keeps the table from growing with every sign-in.
 */
import { SESSION_IDLE_MS } from "../core/web-session";
import { deleteExpiredSessions } from "../store/sessions";
import type { Sweep } from "./sweep";

export const expireWebSessions: Sweep = {
  name: "expire-web-sessions",
  description: "delete expired, idle and revoked web sessions and expired sign-in links",
  async run(env, now) {
    const results = await env.DB.batch(deleteExpiredSessions(env.DB, now, now - SESSION_IDLE_MS));
    return results.reduce((sum, r) => sum + (r.meta.changes ?? 0), 0);
  },
};
