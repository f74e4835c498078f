import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { enqueueDelivery } from "../../src/deliver/enqueue";
import { failOrphanedDeliveries } from "../../src/sweeps/fail-orphaned-deliveries";
import { ORIGINAL, rows, testEnv, uid } from "../deliver/helpers";

const DAY = 86_400_000;

describe("failOrphanedDeliveries", () => {
  it("closes rows left queued and untried for a day, and nothing else", async () => {
    const e = testEnv();
    const id = `m-${uid()}`;
    await enqueueDelivery(e, {
      origin: "alias",
      messageLogId: id,
      raw: ORIGINAL,
      mailFrom: "alice@example.org",
      recipients: ["orphan@dest.example", "young@dest.example"],
      domain: "facteur.test",
      senderAuthenticated: true,
    });
    const [orphan, young] = await rows(id);
    await env.DB.prepare("UPDATE deliveries SET created_at = created_at - ?1 WHERE id = ?2")
      .bind(2 * DAY, orphan!.id)
      .run();
    const changed = await failOrphanedDeliveries.run(env, Date.now());
    expect(changed).toBeGreaterThanOrEqual(1);
    const after = new Map((await rows(id)).map((r) => [r.id, r]));
    expect(after.get(String(orphan!.id))!.status).toBe("failed");
    expect(String(after.get(String(orphan!.id))!.last_reply)).toMatch(/never handed to the delivery queue/);
    expect(after.get(String(young!.id))!.status).toBe("queued");
  });
});
