/**
 * The list archive: each distributed post archived once (the shared copy, no member's unsubscribe
 * URL), Archived-At and List-Archive on every copy, reading by month / thread / post with
 * sanitised HTML and downloadable attachments, FTS5 search, the per-list privacy policy applied at
 * read time with obfuscated addresses on public archives, the month's mbox read back by Python's
 * `mailbox` module, and a logged takedown.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { distributePost, listPostKey } from "../../src/lists/distribute";
import { findListByAddress } from "../../src/store/lists";
import { upsertMember } from "../../src/store/members";
import { call, ok } from "../api/helpers";
import { listEnv } from "../lists/helpers";

const LIST = "team@archive.example";
const base = `/api/v1/lists/${LIST}/archive`;
const enc = new TextEncoder();
const auth = {
  header: "x; none",
  arc: { result: "none", comment: "", instance: 0 },
  dmarc: { result: "none", comment: "" },
  authenticated: true,
} as never;

function post(id: string, subject: string, body: string, extra = ""): string {
  return [
    "From: Alice Author <alice@example.org>",
    `To: ${LIST}`,
    `Subject: ${subject}`,
    `Message-ID: <${id}@example.org>`,
    "Date: Tue, 01 Dec 2026 09:00:00 +0000",
    ...(extra ? [extra.trimEnd()] : []),
    "",
    body,
  ].join("\r\n");
}

const HTML_POST = post(
  "m1",
  "Kick-off",
  [
    "--b1",
    'Content-Type: multipart/alternative; boundary="b2"',
    "",
    "--b2",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "Welcome to the kick-off, write to bob@example.net",
    "From the start we agreed.",
    "--b2",
    "Content-Type: text/html; charset=utf-8",
    "",
    '<p onclick="evil()">Welcome <b>all</b><script>alert(1)</script><img src="https://tracker.example/p.gif"><a href="javascript:x()">x</a><a href="https://ok.example/">ok</a></p>',
    "--b2--",
    "--b1",
    'Content-Type: application/pdf; name="agenda.pdf"',
    'Content-Disposition: attachment; filename="agenda.pdf"',
    "Content-Transfer-Encoding: base64",
    "",
    btoa("%PDF-1.4 agenda"),
    "--b1--",
    "",
  ].join("\r\n"),
  'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"',
);

async function distribute(id: string, raw: string) {
  const list = await findListByAddress(env.DB, LIST);
  if (!list) throw new Error("no list");
  const e = listEnv();
  await distributePost(
    e,
    {
      messageLogId: id,
      list,
      raw: enc.encode(raw),
      auth,
      author: { address: "alice@example.org", display: "Alice Author" },
      now: Date.UTC(2026, 11, 1, 9),
    },
    { loadKey: async () => null },
  );
  return e;
}

beforeAll(async () => {
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO domains (name, enabled, created_at, updated_at) VALUES ('archive.example', 1, ?1, ?1)",
    ).bind(now),
    env.DB.prepare(
      "INSERT INTO lists (address, lookup, domain, local_part, name, policy, created_at, updated_at) VALUES (?1, ?1, 'archive.example', 'team', 'Team', 'open', ?2, ?2)",
    ).bind(LIST, now),
  ]);
  // One member, so the shared copy is delivered and kept (a post with no recipients loses its
  // body at once: issue 10 item 17).
  await upsertMember(env.DB, LIST, { address: "reader@example.org" }).run();
  await distribute("p1", HTML_POST);
  await distribute("p1", HTML_POST); // a retried email(): archived once
  await distribute(
    "p2",
    post(
      "m2",
      "Re: Kick-off",
      "Agreed.\r\nFrom here on, we go.\r\n",
      "In-Reply-To: <m1@example.org>\r\nReferences: <m1@example.org>\r\n",
    ),
  );
  await distribute("p3", post("m3", "Another topic", "Lunch on Friday?\r\n"));
});

describe("list archive", () => {
  it("archives each post once, the shared copy, and every copy carries Archived-At and List-Archive", async () => {
    const rows = await env.DB.prepare(
      "SELECT id, thread_id, message_id, in_reply_to FROM archived_posts ORDER BY id",
    ).all();
    expect(rows.results).toEqual([
      { id: "p1", thread_id: "p1", message_id: "m1@example.org", in_reply_to: null },
      { id: "p2", thread_id: "p1", message_id: "m2@example.org", in_reply_to: "m1@example.org" },
      { id: "p3", thread_id: "p3", message_id: "m3@example.org", in_reply_to: null },
    ]);
    const shared = await (await env.MAIL.get(listPostKey("p2")))?.text();
    expect(shared).toContain(`Archived-At: <https://lists.facteur.test/archive/${encodeURIComponent(LIST)}/posts/p2>`);
    expect(shared).toContain(`List-Archive: <https://lists.facteur.test/archive/${encodeURIComponent(LIST)}>`);
    const archived = await (await env.MAIL.get("archive/team@archive.example/p2.eml"))?.text();
    expect(archived).toContain("Archived-At:");
    expect(archived).not.toMatch(/^List-Unsubscribe:/im);
  });

  it("reads by month, by thread and by post; HTML sanitised, attachments downloadable", async () => {
    const months = await ok<{ months: unknown[] }>(await call("GET", base));
    expect(months.months).toEqual([{ month: "2026-12", posts: 3 }]);
    const month = await ok<{ items: { id: string }[] }>(await call("GET", `${base}?month=2026-12`));
    expect(month.items.map((p) => p.id)).toEqual(["p1", "p2", "p3"]);
    const thread = await ok<{ items: { id: string }[] }>(await call("GET", `${base}?thread=p1`));
    expect(thread.items.map((p) => p.id)).toEqual(["p1", "p2"]);
    const p1 = await ok<{ html: string; text: string; author: string; attachments: { filename: string }[] }>(
      await call("GET", `${base}/posts/p1`),
    );
    expect(p1.author).toBe("Alice Author <alice@example.org>");
    expect(p1.html).toContain("<b>all</b>");
    expect(p1.html).not.toMatch(/script|onclick|<img|tracker\.example|javascript:/i);
    expect(p1.html).toContain('href="https://ok.example/"');
    expect(p1.attachments).toEqual([{ index: 0, filename: "agenda.pdf", content_type: "application/pdf", size: 15 }]);
    const download = await call("GET", `${base}/posts/p1/attachments/0`);
    expect(download.headers.get("content-disposition")).toBe('attachment; filename="agenda.pdf"');
    expect(new TextDecoder().decode(await download.arrayBuffer())).toBe("%PDF-1.4 agenda");
  });

  it("searches subject, author and text with FTS5", async () => {
    const lunch = await ok<{ items: { id: string }[] }>(await call("GET", `${base}/search?q=lunch friday`));
    expect(lunch.items.map((h) => h.id)).toEqual(["p3"]);
    const kick = await ok<{ items: { id: string }[] }>(await call("GET", `${base}/search?q=kick`));
    expect(kick.items.map((h) => h.id).sort()).toEqual(["p1", "p2"]);
    expect(
      (await ok<{ items: unknown[] }>(await call("GET", `${base}/search?q=${encodeURIComponent('") OR (')}`))).items,
    ).toEqual([]);
  });

  it("applies the privacy policy at read time; public archives obfuscate addresses", async () => {
    const page = `/archive/${encodeURIComponent(LIST)}/posts/p1`;
    const json = { headers: { accept: "application/json" }, token: null };
    expect((await call("GET", page, json)).status).toBe(401); // default: members
    await ok(await call("PUT", `${base}/settings`, { body: { policy: "public" } }));
    const open = await ok<{ text: string; author: string }>(await call("GET", page, json));
    expect(open.author).toBe("Alice Author <alice at example.org>");
    expect(open.text).toContain("bob at example.net");
    expect(JSON.stringify(open)).not.toContain("@example");
    const html = await call("GET", page, { token: null });
    expect(html.headers.get("content-security-policy")).toContain("default-src 'none'");
    await ok(await call("PUT", `${base}/settings`, { body: { policy: "owners" } }));
    expect((await call("GET", page, json)).status).toBe(401);
    await ok(await call("PUT", `${base}/settings`, { body: { policy: "off" } }));
    expect((await call("GET", page, json)).status).toBe(404);
    await ok(await call("PUT", `${base}/settings`, { body: { policy: "members" } }));
  });

  it("exports a month as mbox that Python's mailbox module reads back, From lines mboxrd-quoted", async () => {
    const response = await call("GET", `${base}/months/2026-12/mbox`);
    expect(response.headers.get("content-type")).toBe("application/mbox");
    const mbox = new Uint8Array(await response.arrayBuffer());
    const text = new TextDecoder().decode(mbox);
    expect(text).toMatch(/^From alice@example\.org Tue Dec {2}1 09:00:00 2026\n/);
    expect(text).toContain("\n>From here on, we go.\n");
    const read = await fetch(inject("mboxReader").url, { method: "POST", body: mbox });
    const messages = (await read.json()) as {
      from_line: string;
      subject: string;
      message_id: string;
      body: string | null;
    }[];
    expect(messages.map((m) => m.message_id)).toEqual(["<m1@example.org>", "<m2@example.org>", "<m3@example.org>"]);
    expect(messages[1]?.subject).toBe("Re: Kick-off");
    expect(messages[1]?.from_line).toBe("alice@example.org Tue Dec  1 09:00:00 2026");
    // Python's mbox reader does not undo mboxrd quoting: the quoted line is read as written.
    expect(messages[1]?.body).toContain(">From here on, we go.");
  });

  it("an owner takes a post down; the takedown is logged and the post is gone everywhere", async () => {
    await ok(await call("DELETE", `${base}/posts/p3?reason=personal%20data`));
    expect((await call("GET", `${base}/posts/p3`)).status).toBe(404);
    expect(await env.MAIL.get("archive/team@archive.example/p3.eml")).toBeNull();
    expect((await ok<{ items: unknown[] }>(await call("GET", `${base}/search?q=lunch`))).items).toEqual([]);
    const log = await ok<{ items: { post_id: string; removed_by: string; reason: string }[] }>(
      await call("GET", `${base}/takedowns`),
    );
    expect(log.items).toMatchObject([{ post_id: "p3", removed_by: "admin", reason: "personal data" }]);
    await distribute("p3", post("m3", "Another topic", "Lunch on Friday?\r\n")); // retried: stays down
    expect((await call("GET", `${base}/posts/p3`)).status).toBe(404);
  });
});
