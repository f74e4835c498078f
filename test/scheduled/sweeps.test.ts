import { createExecutionContext, createScheduledController, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createWorker } from "../../src/index";

const DAY = 86_400_000;
const now = Date.UTC(2026, 10, 25);

async function addMessage(id: string, receivedAt: number) {
  await env.DB.prepare(
    `INSERT INTO messages (id, received_at, mail_from, rcpt_to, size, decision) VALUES (?1, ?2, 'a@b.test', 'c@d.test', 1, 'rejected')`,
  )
    .bind(id, receivedAt)
    .run();
}

async function addDelivery(id: string, key: string, status: string, updatedAt: number) {
  await env.DB.prepare(
    `INSERT INTO deliveries (id, message_log_id, origin, r2_key, domain, mail_from, rcpt, status, attempts, created_at, updated_at)
     VALUES (?1, 'm', 'alias', ?2, 'd.test', '', ?1 || '@x.test', ?3, 1, ?4, ?4)`,
  )
    .bind(id, key, status, updatedAt)
    .run();
}

describe("scheduled sweeps", () => {
  it("expires old log rows and finished deliveries, keeping bodies still needed", async () => {
    await addMessage("old", now - 31 * DAY);
    await addMessage("new", now - 1 * DAY);
    await env.MAIL.put("mail/done.eml", "done");
    await env.MAIL.put("mail/shared.eml", "shared");
    await addDelivery("d1", "mail/done.eml", "sent", now - 40 * DAY);
    await addDelivery("d2", "mail/shared.eml", "failed", now - 40 * DAY);
    await addDelivery("d3", "mail/shared.eml", "deferred", now - 40 * DAY);

    const worker = createWorker();
    await worker.scheduled(createScheduledController({ scheduledTime: now }), env, createExecutionContext());

    const ids = (await env.DB.prepare("SELECT id FROM messages ORDER BY id").all<{ id: string }>()).results.map(
      (r) => r.id,
    );
    expect(ids).toEqual(["new"]);
    const left = (await env.DB.prepare("SELECT id FROM deliveries ORDER BY id").all<{ id: string }>()).results.map(
      (r) => r.id,
    );
    expect(left).toEqual(["d2", "d3"]);
    expect(await env.MAIL.get("mail/done.eml")).toBeNull();
    expect(await env.MAIL.get("mail/shared.eml")).not.toBeNull();
  });
});
