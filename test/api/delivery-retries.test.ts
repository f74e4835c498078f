/**
 * POST /api/v1/deliveries/{id}/retry and /resend: a deferred delivery is attempted now, a failed
 * one is sent again, each through the real delivery consumer; wrong states and expired bodies get
 * 409, another domain's delivery 404, a read-only token 403.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { enqueueDelivery } from "../../src/deliver/enqueue";
import { ORIGINAL, rows, runJobs, scriptedRelay, testEnv, uid } from "../deliver/helpers";
import { call, createDomainFixture, createTokenFixture, jsonOf } from "./helpers";

async function delivery(status: "deferred" | "failed", domain = "facteur.test") {
  const e = testEnv();
  const id = `m-${uid()}`;
  const rcpt = `r-${uid()}@dest.example`;
  await enqueueDelivery(e, {
    origin: "alias",
    messageLogId: id,
    raw: ORIGINAL,
    mailFrom: "alice@example.org",
    recipients: [rcpt],
    domain,
    senderAuthenticated: true,
  });
  const later = Date.now() + 3_600_000;
  await env.DB.prepare(
    "UPDATE deliveries SET status = ?1, attempts = 2, next_attempt_at = ?2, last_reply = '451 4.7.1 try later' WHERE message_log_id = ?3",
  )
    .bind(status, status === "deferred" ? later : null, id)
    .run();
  const [row] = await rows(id);
  return { id, rowId: String(row?.id), rcpt, r2Key: String(row?.r2_key), later };
}

describe("retry now and re-send", () => {
  it("a deferred delivery is queued now, without waiting for its next attempt, and then sent", async () => {
    const { id, rowId, rcpt, later } = await delivery("deferred");
    const e = testEnv();
    const response = await call("POST", `/api/v1/deliveries/${rowId}/retry`, { env: e });
    expect(response.status).toBe(202);
    const body = await jsonOf(response);
    expect(Date.parse(body.next_attempt_at)).toBeLessThan(later);
    expect(e.DELIVERY_QUEUE.jobs.map((j) => j.recipients.map((r) => r.id))).toEqual([[rowId]]);
    const { relay, calls } = scriptedRelay(() => "sent");
    await runJobs(e.DELIVERY_QUEUE.jobs, e, { relayFor: async () => relay });
    expect(calls.flatMap((c) => c.envelope.rcptTo)).toEqual([rcpt]);
    expect((await rows(id))[0]?.status).toBe("sent");
  });

  it("a failed delivery is sent again with a new give-up horizon, and a second re-send of a sent one is refused", async () => {
    const { id, rowId, rcpt } = await delivery("failed");
    const e = testEnv();
    const response = await call("POST", `/api/v1/deliveries/${rowId}/resend`, { env: e });
    expect(response.status).toBe(202);
    expect((await jsonOf(response)).status).toBe("queued");
    const [job] = e.DELIVERY_QUEUE.jobs;
    expect(job?.queuedAt).toBeGreaterThan(Date.now() - 60_000);
    // No DSN from a re-sent job: the original sender's authentication is not stored.
    expect(job?.senderAuthenticated).toBe(false);
    const { relay, calls } = scriptedRelay(() => "sent");
    await runJobs(e.DELIVERY_QUEUE.jobs, e, { relayFor: async () => relay });
    expect(calls.flatMap((c) => c.envelope.rcptTo)).toEqual([rcpt]);
    expect((await rows(id))[0]?.status).toBe("sent");
    const again = await call("POST", `/api/v1/deliveries/${rowId}/resend`, { env: testEnv() });
    expect(again.status).toBe(409);
    expect((await jsonOf(again)).detail).toMatch(/only a failed delivery/);
  });

  it("refuses the wrong state, an expired body, another domain's delivery and a read-only token", async () => {
    const mine = `mine-${uid()}.test`;
    const theirs = `theirs-${uid()}.test`;
    await createDomainFixture(mine);
    await createDomainFixture(theirs);
    const failed = await delivery("failed", mine);
    const wrong = await call("POST", `/api/v1/deliveries/${failed.rowId}/retry`, { env: testEnv() });
    expect([wrong.status, (await jsonOf(wrong)).detail]).toEqual([
      409,
      expect.stringMatching(/only a deferred delivery can be retried/),
    ]);

    const gone = await delivery("failed");
    await env.MAIL.delete(gone.r2Key);
    const expired = await call("POST", `/api/v1/deliveries/${gone.rowId}/resend`, { env: testEnv() });
    expect([expired.status, (await jsonOf(expired)).detail]).toEqual([409, expect.stringMatching(/no longer stored/)]);
    expect((await rows(gone.id))[0]?.status).toBe("failed");

    const other = await createTokenFixture([`domain:${theirs}`]);
    const hidden = await call("POST", `/api/v1/deliveries/${failed.rowId}/resend`, { token: other.token });
    expect(hidden.status).toBe(404);
    const reader = await createTokenFixture(["read"]);
    const readOnly = await call("POST", `/api/v1/deliveries/${failed.rowId}/resend`, { token: reader.token });
    expect(readOnly.status).toBe(403);
    expect((await rows(failed.id))[0]?.status).toBe("failed");
    const own = await createTokenFixture([`domain:${mine}`]);
    const e = testEnv();
    expect((await call("POST", `/api/v1/deliveries/${failed.rowId}/resend`, { token: own.token, env: e })).status).toBe(
      202,
    );
    expect(e.DELIVERY_QUEUE.jobs).toHaveLength(1);
  });
});
