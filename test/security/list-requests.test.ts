/**
 * Mail to a list's -request address through email(): the answers go to the From address, under
 * the list domain's DKIM key, so a header section with a bare CR or NUL is refused, a received
 * Message-ID is copied only when it is a well-formed msg-id, an unauthenticated From gets no
 * answer at all, and an authenticated one only a few a day.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { DeliveryJob } from "../../src/core/jobs";
import { createWorker } from "../../src/index";
import { AUTO_REPLIES_PER_DAY } from "../../src/lists/reply-limit";
import { emailMessage, mail } from "../helpers/email";
import { dkimSigned, publish, testKey } from "../helpers/keys";
import { lastLogRow as logRow } from "../helpers/message-log";
import { createList, type ListTestEnv, listDomain, listEnv, uid } from "../lists/helpers";
import { createZoneResolver, type Zone } from "../support/dns/zone";

const requesterKey = testKey("requester.test");
const zone: Zone = { "_dmarc.requester.test": { TXT: ["v=DMARC1; p=none"] } };
publish(zone, requesterKey);

let clock = Date.parse("2026-11-25T09:00:00Z");
const worker = createWorker({ resolverFor: () => createZoneResolver(zone), now: () => clock });

let domain: string;
beforeAll(async () => {
  domain = await listDomain(zone);
});

async function newList(): Promise<{ team: string; request: string }> {
  const team = `team-${uid()}@${domain}`;
  await createList({ address: team, name: "Team" });
  return { team, request: team.replace("@", "-request@") };
}

async function send(e: Env, raw: string | Uint8Array, to: string, from: string) {
  clock += 1;
  const captured = emailMessage(raw, { from, to });
  await worker.email(captured.message, e, {} as ExecutionContext);
  return captured;
}

async function noticeText(job: DeliveryJob): Promise<string> {
  const body = await env.MAIL.get(job.r2Key ?? "");
  return body ? await body.text() : "";
}

describe("header section with a bare CR or NUL", () => {
  it("refuses a -request message whose Message-ID smuggles HTML through a bare CR, with 554 5.6.0, logged", async () => {
    const e = listEnv();
    const { request } = await newList();
    // The attack: the Message-ID was copied into In-Reply-To of the answer, and the relay's
    // line-ending repair turned each bare CR into CRLF: attacker HTML signed by the list domain.
    const raw = mail(
      {
        From: "victim@gmail.test",
        To: request,
        Subject: "help",
        "Message-ID": "<a@b>\rContent-Type: text/html\r\r<html><a href='https://evil.test'>login</a></html>",
      },
      "help\r\n",
    );
    const captured = await send(e, raw, request, "victim@gmail.test");
    expect(captured.rejected).toMatch(/^554 5\.6\.0 /);
    const row = await logRow(request);
    expect([row?.decision, row?.rule, row?.smtp_reply]).toEqual(["rejected", "header-limits", captured.rejected]);
    expect(e.DELIVERY_QUEUE.jobs).toEqual([]);
  });

  it("refuses a header section containing a NUL with 554 5.6.0", async () => {
    const e = listEnv();
    const { request } = await newList();
    const raw = mail({ From: "someone@requester.test", To: request, Subject: "help\u0000X-Evil: 1" });
    const captured = await send(e, raw, request, "someone@requester.test");
    expect(captured.rejected).toMatch(/^554 5\.6\.0 /);
    expect(e.DELIVERY_QUEUE.jobs).toEqual([]);
  });
});

describe("answers to -request", () => {
  it("does not copy a Message-ID with control characters into the answer's In-Reply-To", async () => {
    const e = listEnv();
    const { request } = await newList();
    const from = `ann-${uid()}@requester.test`;
    const raw = await dkimSigned(
      mail({ From: from, To: request, Subject: "help", "Message-ID": "<a@b>\u000bX-Injected: yes" }),
      requesterKey,
    );
    await send(e, raw, request, from);
    expect(e.DELIVERY_QUEUE.jobs).toHaveLength(1);
    const notice = await noticeText(e.DELIVERY_QUEUE.jobs[0]!);
    expect(notice).toMatch(/^Subject: /m);
    expect(notice).not.toMatch(/In-Reply-To/i);
    expect(notice).not.toContain("X-Injected");
    // A well-formed one is still threaded.
    const ok = await dkimSigned(
      mail({ From: from, To: request, Subject: "help", "Message-ID": "<good@x>" }),
      requesterKey,
    );
    await send(e, ok, request, from);
    expect(await noticeText(e.DELIVERY_QUEUE.jobs[1]!)).toContain("In-Reply-To: <good@x>");
  });

  it("does not answer a -request command from an unauthenticated (forgeable) From", async () => {
    const e = listEnv();
    const { request } = await newList();
    for (const subject of ["help", "subscribe"]) {
      await send(e, mail({ From: "victim@gmail.test", To: request, Subject: subject }), request, "victim@gmail.test");
      const row = await logRow(request);
      expect([row?.decision, row?.reason]).toEqual(["discarded", "requester not authenticated: not answered"]);
    }
    expect(e.DELIVERY_QUEUE.jobs).toEqual([]);
  });

  it(`answers one requester at most ${AUTO_REPLIES_PER_DAY} times a day across lists, help included (not only confirmations)`, async () => {
    const e: ListTestEnv = listEnv();
    const lists = [await newList(), await newList()];
    const from = `busy-${uid()}@requester.test`;
    for (let i = 0; i < AUTO_REPLIES_PER_DAY + 3; i++) {
      const { request } = lists[i % 2]!;
      await send(e, await dkimSigned(mail({ From: from, To: request, Subject: "help" }), requesterKey), request, from);
    }
    expect(e.DELIVERY_QUEUE.jobs).toHaveLength(AUTO_REPLIES_PER_DAY);
    expect((await logRow(lists[1]!.request))?.reason).toBe(
      `daily automatic-reply limit reached for ${from}: not answered`,
    );
    // The next day the allowance is back.
    clock += 86_400_000;
    const { request } = lists[0]!;
    await send(e, await dkimSigned(mail({ From: from, To: request, Subject: "help" }), requesterKey), request, from);
    expect(e.DELIVERY_QUEUE.jobs).toHaveLength(AUTO_REPLIES_PER_DAY + 1);
  });
});
