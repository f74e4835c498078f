/**
 * The expired-session sweep, through scheduled(): sessions past their absolute expiry, idle past
 * SESSION_IDLE_MS, or revoked are deleted, and so are expired sign-in links; live ones stay.
 */
import { createExecutionContext, createScheduledController, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from "../../src/core/web-session";
import { createWorker } from "../../src/index";
import { findSession, insertSession, insertSignInLink, revokeSession } from "../../src/store/sessions";

const worker = createWorker();

async function session(idHash: string, createdAt: number, lastSeenAt: number) {
  await insertSession(env.DB, {
    idHash,
    kind: "admin-token",
    tokenId: null,
    userName: null,
    memberAddress: null,
    csrfToken: "csrf",
    createdAt,
    lastSeenAt,
    expiresAt: createdAt + SESSION_ABSOLUTE_MS,
  });
}

async function linkCount(hash: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM web_sign_in_links WHERE token_hash = ?1")
    .bind(hash)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

describe("the web session sweep", () => {
  it("deletes expired, idle and revoked sessions and expired sign-in links, and keeps live ones", async () => {
    const now = Date.now();
    const id = crypto.randomUUID();
    await session(`alive-${id}`, now - 60_000, now - 60_000);
    await session(`old-${id}`, now - SESSION_ABSOLUTE_MS - 1, now - 1000);
    await session(`idle-${id}`, now - 2 * SESSION_IDLE_MS, now - SESSION_IDLE_MS - 1);
    await session(`revoked-${id}`, now - 60_000, now - 60_000);
    await revokeSession(env.DB, `revoked-${id}`, now - 1000);
    await insertSignInLink(env.DB, {
      tokenHash: `gone-${id}`,
      address: "a@b.example",
      createdAt: now - 2e6,
      expiresAt: now - 1,
    });
    await insertSignInLink(env.DB, {
      tokenHash: `live-${id}`,
      address: "a@b.example",
      createdAt: now,
      expiresAt: now + 1e6,
    });

    await worker.scheduled(createScheduledController({ scheduledTime: now }), env, createExecutionContext());

    expect(await findSession(env.DB, `alive-${id}`)).not.toBeNull();
    for (const gone of ["old", "idle", "revoked"]) expect(await findSession(env.DB, `${gone}-${id}`), gone).toBeNull();
    expect([await linkCount(`gone-${id}`), await linkCount(`live-${id}`)]).toEqual([0, 1]);
  });
});
