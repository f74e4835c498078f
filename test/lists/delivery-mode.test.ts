/**
 * Per-member delivery mode: set through the API; a member in digest or nomail mode does not get
 * each post from the fan-out, a member in "each" mode does.
 */
import { env } from "cloudflare:test";
import { expect, it } from "vitest";
import { distributePost } from "../../src/lists/distribute";
import { findListByAddress } from "../../src/store/lists";
import { call, ok } from "../api/helpers";
import { createList, listEnv, runFanout } from "./helpers";

const LIST = "modes@modes.example";
const url = (member: string) => `/api/v1/lists/${LIST}/members/${member}/delivery`;

it("digest and nomail members are left out of the per-post fan-out", async () => {
  const now = Date.now();
  await env.DB.prepare(
    "INSERT INTO domains (name, enabled, created_at, updated_at) VALUES ('modes.example', 1, ?1, ?1)",
  )
    .bind(now)
    .run();
  await createList({ address: LIST, name: "Modes", policy: "open" }, [
    { address: "each@example.net" },
    { address: "daily@example.net" },
    { address: "weekly@example.net" },
    { address: "quiet@example.net" },
  ]);
  expect(await ok(await call("GET", url("daily@example.net")))).toEqual({ mode: "each" });
  for (const [member, mode] of [
    ["daily@example.net", "digest_daily"],
    ["Weekly@Example.net", "digest_weekly"],
    ["quiet@example.net", "nomail"],
  ]) {
    expect(await ok(await call("PUT", url(member ?? ""), { body: { mode } }))).toEqual({ mode });
  }
  expect(await ok(await call("GET", url("weekly@example.net")))).toEqual({ mode: "digest_weekly" });
  expect((await call("PUT", url("stranger@example.net"), { body: { mode: "nomail" } })).status).toBe(404);
  expect((await call("PUT", url("quiet@example.net"), { body: { mode: "sometimes" } })).status).toBe(400);

  const list = await findListByAddress(env.DB, LIST);
  if (!list) throw new Error("no list");
  const e = listEnv();
  const raw = new TextEncoder().encode(
    `From: Outsider <outsider@example.org>\r\nTo: ${LIST}\r\nSubject: hello\r\nMessage-ID: <modes1@example.org>\r\n\r\nHi all\r\n`,
  );
  await distributePost(
    e,
    {
      messageLogId: "modes-post-1",
      list,
      raw,
      auth: {
        header: "x; none",
        arc: { result: "none", comment: "", instance: 0 },
        dmarc: { result: "none", comment: "" },
        authenticated: true,
      } as never,
      author: { address: "outsider@example.org", display: "Outsider" },
      now,
    },
    { loadKey: async () => null },
  );
  const { deliveryJobs } = await runFanout(e);
  const recipients = deliveryJobs.flatMap((job) => job.recipients.map((r) => r.rcpt));
  expect(recipients).toEqual(["each@example.net"]);
});
