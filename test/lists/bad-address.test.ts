/**
 * Issue 10 item 8: one bad address blocked unrelated mail. The API accepted quoted local parts
 * with spaces or "<>", and enqueue threw on them for the whole call: a fan-out page failed and
 * was retried forever, a member import answered 500. Now one validator (mail/address.ts) serves
 * the API and the queue, and a bad recipient fails alone. Through queue(), email() and fetch().
 */
import { createExecutionContext, env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createWorker } from "../../src/index";
import listPostOpen from "../fixtures/lists/list-post-open.eml?raw";
import { emailMessage } from "../helpers/email";
import { fixture } from "../helpers/fixture";
import { address } from "../relays/sink";
import { createZoneResolver, type Zone } from "../support/dns/zone";
import { createList, listDomain, listEnv, runFanout, uid } from "./helpers";

const zone: Zone = {};
const worker = createWorker({ resolverFor: () => createZoneResolver(zone) });
const BAD = '"two words <x>"@example.test';

let domain: string;
beforeAll(async () => {
  domain = await listDomain(zone);
});

describe("a bad address fails alone", () => {
  it("a member with a malformed quoted address does not make the whole fan-out page fail: the others get the post", async () => {
    const e = listEnv();
    const team = `team-${uid()}@${domain}`;
    const good = address("good");
    await createList({ address: team, name: "Team", policy: "open" }, [{ address: good }, { address: BAD }]);
    const captured = emailMessage(fixture(listPostOpen, { list: team }), { from: "carol@relaxed.test", to: team });
    await worker.email(captured.message, e, {} as ExecutionContext);
    const { deliveryJobs } = await runFanout(e); // throws if a page is retried
    expect(deliveryJobs.flatMap((j) => j.recipients.map((r) => r.rcpt))).toEqual([good]);
    const bad = await env.DB.prepare("SELECT status, last_reply FROM deliveries WHERE rcpt = ?")
      .bind(BAD)
      .first<{ status: string; last_reply: string }>();
    expect(bad).toEqual({ status: "failed", last_reply: "553 5.1.3 not a valid recipient address" });
  });

  it("the API refuses the address the delivery queue would refuse (400 naming the field), instead of a 500 after storing", async () => {
    const e = listEnv();
    const team = `team-${uid()}@${domain}`;
    await createList({ address: team, name: "Team" });
    const res = await worker.fetch(
      new Request(`https://facteur.test/api/v1/lists/${team}/members`, {
        method: "POST",
        headers: {
          authorization: "Bearer test-admin-token",
          "cf-connecting-ip": "203.0.113.12",
          "content-type": "application/json",
        },
        body: JSON.stringify({ members: [{ address: BAD }] }),
      }),
      e,
      createExecutionContext(),
    );
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((x) => x.field)).toEqual(["members.0.address"]);
  });
});
