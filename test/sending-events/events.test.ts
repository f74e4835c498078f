/**
 * Email Sending's lifecycle events through the Worker's real queue() on `facteur-sending-events`,
 * against real D1. The copies are first sent through the `cloudflare:` relay (a send_email binding
 * that answers with a messageId, as Cloudflare's does), so the events name rows the way
 * Cloudflare's would. Event bodies follow Cloudflare's documented examples (src/sending-events/event.ts).
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { DeliveryJob } from "../../src/core/jobs";
import { QUEUES } from "../../src/core/queues";
import { enqueueDelivery } from "../../src/deliver/enqueue";
import { createCloudflareRelay, type SendEmailBinding } from "../../src/deliver/relays/cloudflare";
import { verpAddress } from "../../src/mail/minted-address";
import { findListByAddress } from "../../src/store/lists";
import { findMember, memberVerpKey } from "../../src/store/members";
import { findSuppression } from "../../src/store/suppressions";
import { createDomainFixture } from "../api/helpers";
import { ORIGINAL, rows, runJobs, testEnv, uid } from "../deliver/helpers";
import { createList } from "../lists/helpers";

type Kind = "delivered" | "deferred" | "bounced" | "failed" | "rejected" | "complained";

const binding: SendEmailBinding = {
  async send(message) {
    return { messageId: `0101018f-${message.to}` };
  },
};
const cloudflareRelay = { relayFor: async () => createCloudflareRelay({ SEND_EMAIL: binding }, { allowLists: true }) };

/** Sends one copy per recipient through the cloudflare relay; returns the message log id. */
async function sendThroughCloudflare(
  recipients: string[],
  options: { origin?: "alias" | "list"; mailFrom?: string } = {},
) {
  const e = testEnv();
  const id = `m-${uid()}`;
  await enqueueDelivery(e, {
    origin: options.origin ?? "alias",
    messageLogId: id,
    raw: ORIGINAL,
    mailFrom: options.mailFrom ?? "alice@example.org",
    recipients,
    domain: "facteur.test",
    senderAuthenticated: true,
  });
  const { result } = await runJobs(e.DELIVERY_QUEUE.jobs.splice(0), e, cloudflareRelay);
  expect(result.retryMessages).toEqual([]);
  return id;
}

let seq = 0;
/** An event as Cloudflare documents it (cloudflare-docs, queues/event-subscriptions/email-sending-events). */
function event(kind: Kind, recipient: string, at: string, extra: Record<string, unknown> = {}) {
  const smtp: Partial<Record<Kind, Record<string, string>>> = {
    delivered: { smtpStatusCode: "250", smtpEnhancedStatusCode: "2.0.0", smtpResponse: "250 2.0.0 OK gsmtp" },
    deferred: {
      smtpStatusCode: "451",
      smtpEnhancedStatusCode: "4.2.0",
      smtpResponse: "451 4.2.0 Temporary mailbox error",
    },
    bounced: { smtpStatusCode: "550", smtpEnhancedStatusCode: "5.1.1", smtpResponse: "550 5.1.1 User unknown" },
  };
  return {
    type: `cf.email.sending.message.${kind}`,
    source: { type: "email.sending", zoneId: "023e105f4ecef8ad9ca31a8372d0c353", domain: "facteur.test" },
    payload: {
      eventId: `evt-${++seq}`,
      messageId: `0101018f-${recipient}`,
      sender: "alice@example.org",
      recipient,
      terminal: kind !== "deferred",
      delivery: { status: kind, ...smtp[kind] },
      ...(kind === "bounced"
        ? { bounce: { type: "hard", classification: "permanent_failure", reason: "550 5.1.1 User unknown" } }
        : {}),
      ...(kind === "deferred"
        ? { bounce: { type: "soft", classification: "temporary_failure", reason: "451 4.2.0 Temporary mailbox error" } }
        : {}),
      ...(kind === "failed" ? { failure: { reason: "delivery_failed" } } : {}),
      ...(kind === "rejected"
        ? { rejection: { reason: "suppressed", party: "recipient", detail: "Recipient is suppressed" } }
        : {}),
      ...(kind === "complained" ? { complaint: { type: "abuse" } } : {}),
      ...extra,
    },
    metadata: {
      accountId: "f9f79265f388666de8122cfb508d7776",
      eventSubscriptionId: "1830c4bb612e43c3af7f4cada31fbf3f",
      eventSchemaVersion: 1,
      eventTimestamp: at,
    },
  };
}

const consume = (bodies: unknown[]) =>
  runJobs(bodies as DeliveryJob[], env, {}, 1, QUEUES.sendingEvents).then((run) => run.result);

describe("Email Sending events, through queue()", () => {
  it("each of the six events updates its delivery row; a hard bounce and a complaint suppress the address", async () => {
    const tag = uid();
    const to = (kind: Kind) => `${kind}-${tag}@dest.example`;
    const kinds: Kind[] = ["delivered", "deferred", "bounced", "failed", "rejected", "complained"];
    const id = await sendThroughCloudflare(kinds.map(to));
    expect((await rows(id)).map((r) => [r.status, r.provider_message_id])).toEqual(
      kinds.map((k) => ["sent", `0101018f-${to(k)}`]).sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
    );
    const result = await consume(kinds.map((k) => event(k, to(k), "2026-12-01T10:00:00.000Z")));
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(6);
    const byRcpt = Object.fromEntries((await rows(id)).map((r) => [r.rcpt, r]));
    expect(
      kinds.map((k) => [k, byRcpt[to(k)]!.status, byRcpt[to(k)]!.provider_status, byRcpt[to(k)]!.last_reply]),
    ).toEqual([
      ["delivered", "sent", "delivered", "Email Sending delivered: 250 2.0.0 OK gsmtp"],
      ["deferred", "sent", "deferred", "Email Sending deferred: 451 4.2.0 Temporary mailbox error"],
      ["bounced", "bounced", "bounced", "Email Sending bounced: 550 5.1.1 User unknown"],
      ["failed", "failed", "failed", "Email Sending failed: delivery_failed"],
      ["rejected", "failed", "rejected", "Email Sending rejected: suppressed: Recipient is suppressed"],
      ["complained", "sent", "complained", "Email Sending complained: abuse"],
    ]);
    expect(await findSuppression(env.DB, to("bounced"))).toMatchObject({ source: "bounce" });
    expect(await findSuppression(env.DB, to("complained"))).toMatchObject({ source: "complaint" });
    for (const k of ["delivered", "deferred", "failed", "rejected"] as const)
      expect(await findSuppression(env.DB, to(k))).toBeNull();
  });

  it("applies the newest event only: an older or repeated one changes nothing", async () => {
    const rcpt = `late-${uid()}@dest.example`;
    const id = await sendThroughCloudflare([rcpt]);
    await consume([event("delivered", rcpt, "2026-12-01T10:05:00.000Z")]);
    // A deferral from before the delivery arrives after it, then the delivery again.
    for (const late of [
      event("deferred", rcpt, "2026-12-01T10:01:00.000Z"),
      event("delivered", rcpt, "2026-12-01T10:05:00.000Z"),
    ]) {
      expect((await consume([late])).explicitAcks).toHaveLength(1);
      const [row] = await rows(id);
      expect([row!.status, row!.provider_status, row!.provider_event_at, row!.last_reply]).toEqual([
        "sent",
        "delivered",
        Date.parse("2026-12-01T10:05:00.000Z"),
        "Email Sending delivered: 250 2.0.0 OK gsmtp",
      ]);
    }
    // An event about a message Facteur never sent is acknowledged and logged, not retried.
    expect(
      (await consume([event("bounced", `nobody-${uid()}@dest.example`, "2026-12-01T10:06:00Z")])).retryMessages,
    ).toEqual([]);
  });

  it("list mail: a hard bounce and a complaint score the member as a VERP bounce does; a spam refusal does not", async () => {
    const tag = uid();
    const team = `team-${tag}@lists-${tag}.test`;
    await createDomainFixture(`lists-${tag}.test`);
    const members = ["gone", "angry", "filtered"].map((name) => `${name}-${tag}@dest.example`);
    await createList(
      { address: team },
      members.map((address) => ({ address })),
    );
    const list = (await findListByAddress(env.DB, team))!;
    for (const member of members) {
      const mailFrom = verpAddress(env.LIST_SECRET, list, memberVerpKey(team, member));
      await sendThroughCloudflare([member], { origin: "list", mailFrom });
    }
    const [gone, angry, filtered] = members as [string, string, string];
    const spam = {
      delivery: {
        status: "bounced",
        smtpEnhancedStatusCode: "5.7.1",
        smtpResponse: "550 5.7.1 message refused as spam",
      },
      bounce: { type: "hard", classification: "permanent_failure", reason: "550 5.7.1 message refused as spam" },
    };
    const result = await consume([
      event("bounced", gone, "2026-12-01T11:00:00Z"),
      event("complained", angry, "2026-12-01T11:00:00Z"),
      event("bounced", filtered, "2026-12-01T11:00:00Z", spam),
    ]);
    expect(result.retryMessages).toEqual([]);
    expect((await findMember(env.DB, team, gone))!.bounceScore).toBe(1);
    expect((await findMember(env.DB, team, angry))!.bounceScore).toBe(1);
    expect((await findMember(env.DB, team, filtered))!.bounceScore).toBe(0);
    expect(await findSuppression(env.DB, filtered)).toBeNull();
    expect(await findSuppression(env.DB, gone)).toMatchObject({ source: "bounce" });
  });

  it("a malformed or unknown-version event is logged and retried (into the dead-letter queue), never acknowledged", async () => {
    const rcpt = `kept-${uid()}@dest.example`;
    const id = await sendThroughCloudflare([rcpt]);
    const future = event("bounced", rcpt, "2026-12-01T12:00:00Z");
    future.metadata.eventSchemaVersion = 2;
    const noRecipient = event("bounced", rcpt, "2026-12-01T12:00:00Z", { recipient: undefined });
    const result = await consume(["not json at all", { type: "cf.email.sending.message.opened" }, noRecipient, future]);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toHaveLength(4);
    const [row] = await rows(id);
    expect([row!.status, row!.provider_status]).toEqual(["sent", null]);
    expect(await findSuppression(env.DB, rcpt)).toBeNull();
  });
});
