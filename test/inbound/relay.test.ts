/**
 * Alias destinations that forward() cannot reach go through R2 + Queue with an SRS envelope
 * sender; bounces to those SRS addresses come back to the original sender. Failures of R2 or the
 * Queue inside email() make it throw, so the sending server retries.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createWorker } from "../../src/index";
import { srsForward } from "../../src/mail/srs";
import { insertAlias } from "../../src/store/aliases";
import { upsertDestination } from "../../src/store/destinations";
import { insertDomain } from "../../src/store/domains";
import relayMixed from "../fixtures/inbound/relay-mixed.eml?raw";
import srsBounce from "../fixtures/inbound/srs-bounce.eml?raw";
import unsignedPNone from "../fixtures/inbound/unsigned-p-none.eml?raw";
import { emailMessage } from "../helpers/email";
import { fixture } from "../helpers/fixture";
import { createZoneResolver, type Zone } from "../support/dns/zone";

const zone: Zone = { "_dmarc.relaxed.test": { TXT: ["v=DMARC1; p=none"] } };
const worker = createWorker({ resolverFor: () => createZoneResolver(zone) });
/** Only the envelope matters in these scenarios: an unsigned message from a p=none domain. */
const UNSIGNED = fixture(unsignedPNone);

async function deliver(raw: string, to: string, from: string, testEnv: Env = env) {
  const captured = emailMessage(raw, { from, to }, { refuseForward: (a) => a === "revoked@gmail.com" });
  await worker.email(captured.message, testEnv, {} as ExecutionContext);
  return captured;
}

interface Row {
  rcpt: string;
  mail_from: string;
  r2_key: string;
  status: string;
  origin: string;
}

async function deliveriesFor(rcpt: string) {
  const { results } = await env.DB.prepare("SELECT * FROM deliveries WHERE rcpt = ?").bind(rcpt).all<Row>();
  return results;
}

beforeAll(async () => {
  await env.DB.batch([
    insertDomain(env.DB, { name: "relay.test" }),
    upsertDestination(env.DB, "me@gmail.com", true),
    upsertDestination(env.DB, "revoked@gmail.com", true),
    insertAlias(env.DB, {
      address: "mixed@relay.test",
      domain: "relay.test",
      destinations: ["me@gmail.com", "friend@elsewhere.test"],
    }),
    insertAlias(env.DB, { address: "tagged@relay.test", domain: "relay.test", destinations: ["someone@fastmail.com"] }),
    insertAlias(env.DB, { address: "revoked@relay.test", domain: "relay.test", destinations: ["revoked@gmail.com"] }),
  ]);
});

describe("relayed alias destinations", () => {
  it("forwards verified destinations and queues the rest with an SRS sender and trace headers", async () => {
    const raw = fixture(relayMixed);
    const c = await deliver(raw, "mixed@relay.test", "bob@relaxed.test");
    expect(c.forwards.map((f) => f.to)).toEqual(["me@gmail.com"]);
    const [row] = await deliveriesFor("friend@elsewhere.test");
    expect(row?.status).toMatch(/queued|sent/);
    expect(row?.origin).toBe("alias");
    expect(row?.mail_from).toMatch(/^SRS0=[^=]+=[A-Z2-7]{2}=relaxed\.test=bob@relay\.test$/);
    const object = await env.MAIL.get(row?.r2_key ?? "");
    const stored = (await object?.text()) ?? "";
    // Our trace fields sit above the original header, which is kept byte for byte.
    expect(stored).toMatch(/^Received: by mx\.facteur\.test \(Facteur\) for <mixed@relay\.test>;/);
    expect(stored).toContain("X-Facteur-Loop: mixed@relay.test\r\n");
    expect(stored.endsWith(raw)).toBe(true);
    const log = await env.DB.prepare("SELECT decision, destinations FROM messages WHERE rcpt_to = ?")
      .bind("mixed@relay.test")
      .first<{ decision: string; destinations: string }>();
    expect(log?.decision).toBe("forwarded");
    expect(JSON.parse(log?.destinations ?? "[]")).toEqual(["me@gmail.com", "friend@elsewhere.test"]);
  });

  it("carries the subaddress tag to a provider that supports it", async () => {
    await deliver(UNSIGNED, "tagged+invoices@relay.test", "bob@relaxed.test");
    expect(await deliveriesFor("someone+invoices@fastmail.com")).toHaveLength(1);
  });

  it("relays when forward() refuses a destination instead of dropping it", async () => {
    const c = await deliver(UNSIGNED, "revoked@relay.test", "bob@relaxed.test");
    expect(c.forwards).toEqual([]);
    expect(await deliveriesFor("revoked@gmail.com")).toHaveLength(1);
    const log = await env.DB.prepare("SELECT decision FROM messages WHERE rcpt_to = ?")
      .bind("revoked@relay.test")
      .first<{ decision: string }>();
    expect(log?.decision).toBe("relayed");
  });

  it("throws when R2 is down, so the message is retried rather than lost", async () => {
    const brokenR2 = {
      put() {
        throw new Error("R2 unavailable");
      },
    } as unknown as R2Bucket;
    const c = emailMessage(UNSIGNED, { from: "bob@relaxed.test", to: "mixed@relay.test" });
    await expect(worker.email(c.message, { ...env, MAIL: brokenR2 } as Env, {} as ExecutionContext)).rejects.toThrow(
      /R2 unavailable/,
    );
    expect(c.rejected).toBeUndefined();
  });

  it("throws when the Queue is down", async () => {
    const brokenQueue = {
      send() {
        throw new Error("Queue unavailable");
      },
      sendBatch() {
        throw new Error("Queue unavailable");
      },
    } as unknown as Queue;
    const c = emailMessage(UNSIGNED, { from: "bob@relaxed.test", to: "mixed@relay.test" });
    await expect(
      worker.email(c.message, { ...env, DELIVERY_QUEUE: brokenQueue } as Env, {} as ExecutionContext),
    ).rejects.toThrow(/Queue unavailable/);
  });
});

describe("bounces to SRS addresses", () => {
  it("returns a bounce to a valid SRS0 address to the original sender with a null envelope", async () => {
    const srs = await srsForward("carol@relaxed.test", "relay.test", env.SRS_SECRET);
    const bounce = fixture(srsBounce, { srs });
    const c = await deliver(bounce, srs, "");
    expect(c.rejected).toBeUndefined();
    const [row] = await deliveriesFor("carol@relaxed.test");
    expect(row?.mail_from).toBe("");
  });

  it("rejects a forged SRS address, so Facteur cannot be used to reflect mail", async () => {
    const srs = await srsForward("carol@relaxed.test", "relay.test", "not-our-secret");
    const c = await deliver(UNSIGNED, srs, "");
    expect(c.rejected).toMatch(/^550 5\.7\.1 Invalid SRS address \(forged\)/);
  });
});
