/**
 * Issue 10 item 12 (invocation budgets): adding 1,000 members with double opt-in used to send
 * every confirmation from the API request itself, about 5,000 subrequests in one invocation (past
 * the limit, after the members were committed). Now the request inserts the members and queues
 * pages of confirmations; queue() sends each page, and a redelivered page mails nobody twice.
 * Driven through fetch() (the real app) and queue() (the fan-out consumer).
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ConfirmationPageJobV1, DeliveryJob } from "../../src/core/jobs";
import { createWorker } from "../../src/index";
import { CONFIRMATION_PAGE_SIZE } from "../../src/lists/confirmation-pages";
import { createList, type ListTestEnv, listEnv, uid } from "./helpers";

const worker = createWorker();

/** Counts the binding calls made through `e`: D1 statements (a batch counts once), R2 and queue operations. */
function counting(e: ListTestEnv) {
  const counter = { calls: 0 };
  const wrap = <T extends object>(target: T, methods: string[]): T =>
    new Proxy(target, {
      get(t, p) {
        const value = Reflect.get(t, p);
        if (typeof value !== "function") return value;
        if (!methods.includes(String(p))) return value.bind(t);
        return (...args: unknown[]) => {
          // A batch is one call; its statements were counted when prepared.
          counter.calls += p === "batch" ? 1 - (args[0] as unknown[]).length : 1;
          return value.apply(t, args);
        };
      },
    });
  const counted = {
    ...e,
    DB: wrap(e.DB, ["prepare", "batch", "exec"]),
    MAIL: wrap(e.MAIL, ["put", "get", "head", "delete", "list"]),
    DELIVERY_QUEUE: wrap(e.DELIVERY_QUEUE, ["send", "sendBatch"]),
    FANOUT_QUEUE: wrap(e.FANOUT_QUEUE, ["send", "sendBatch"]),
  } as ListTestEnv;
  return { env: counted, counter };
}

async function addMembers(e: Env, list: string, addresses: string[]) {
  return worker.fetch(
    new Request(`https://facteur.test/api/v1/lists/${list}/members`, {
      method: "POST",
      headers: {
        authorization: "Bearer test-admin-token",
        "cf-connecting-ip": "203.0.113.77",
        "content-type": "application/json",
      },
      body: JSON.stringify({ members: addresses.map((address) => ({ address })) }),
    }),
    e,
    createExecutionContext(),
  );
}

async function runPages(e: Env, pages: ConfirmationPageJobV1[]) {
  const batch = createMessageBatch(
    "facteur-fanout",
    pages.map((body, i) => ({ id: `confirm-${uid()}-${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, e, ctx);
  return getQueueResult(batch, ctx);
}

/** A list on a domain of ours without a DKIM key (the notices go unsigned: the test is about counts). */
async function newList(name: string): Promise<string> {
  const domain = `${name}-${uid()}.test`;
  const now = Date.now();
  await env.DB.prepare("INSERT INTO domains (name, enabled, created_at, updated_at) VALUES (?1, 1, ?2, ?2)")
    .bind(domain, now)
    .run();
  const list = `${name}@${domain}`;
  await createList({ address: list, name });
  return list;
}

async function confirmationsOf(list: string): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT address FROM list_confirmations WHERE list_address = ?")
    .bind(list)
    .all<{ address: string }>();
  return results.map((r) => r.address);
}

describe("bulk member import with confirmations (issue 10 item 12)", () => {
  it("adding 1,000 members does not send 1,000 confirmations from the request: they go out in queued pages, once each", {
    timeout: 120_000,
  }, async () => {
    const list = await newList("bulk");
    const run = uid();
    const addresses = Array.from({ length: 1000 }, (_, i) => `p${i}-${run}@invitees.test`);
    const e = listEnv();
    const request = counting(e);

    const res = await addMembers(request.env, list, addresses);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ added: 0, pending: 1000 });
    // The request inserted the members and queued the pages; it sent nothing itself.
    expect(request.counter.calls).toBeLessThan(150);
    expect(e.DELIVERY_QUEUE.jobs).toHaveLength(0);
    expect(await confirmationsOf(list)).toHaveLength(0);
    const pending = await env.DB.prepare(
      "SELECT count(*) AS n FROM list_members WHERE list_address = ? AND status = 'pending'",
    )
      .bind(list)
      .first<{ n: number }>();
    expect(pending?.n).toBe(1000);
    const pages = e.FANOUT_QUEUE.jobs.splice(0) as unknown as ConfirmationPageJobV1[];
    expect(pages).toHaveLength(1000 / CONFIRMATION_PAGE_SIZE);
    expect(pages.every((p) => p.kind === "confirmations" && p.addresses.length <= CONFIRMATION_PAGE_SIZE)).toBe(true);

    // Each page is its own bounded piece of work: one page's binding calls stay far under 1,000.
    const pageRun = counting(e);
    expect((await runPages(pageRun.env, [pages[0]!])).retryMessages).toHaveLength(0);
    expect(pageRun.counter.calls).toBeLessThan(8 * CONFIRMATION_PAGE_SIZE);
    for (let i = 1; i < pages.length; i += 5) {
      expect((await runPages(e, pages.slice(i, i + 5))).retryMessages).toHaveLength(0);
    }
    const jobs = e.DELIVERY_QUEUE.jobs.splice(0) as DeliveryJob[];
    const rcpts = jobs.flatMap((j) => j.recipients.map((r) => r.rcpt));
    expect(rcpts).toHaveLength(1000);
    expect(new Set(rcpts)).toEqual(new Set(addresses));
    expect(jobs.every((j) => j.origin === "notice")).toBe(true);
    expect(new Set(await confirmationsOf(list))).toEqual(new Set(addresses));

    // Queues delivers at least once: pages delivered again mail nobody a second time.
    expect((await runPages(e, pages.slice(0, 3))).retryMessages).toHaveLength(0);
    expect(e.DELIVERY_QUEUE.jobs).toHaveLength(0);
    expect(await confirmationsOf(list)).toHaveLength(1000);
  });

  it("a confirmation page redelivered after failing half-way sends no confirmation twice", async () => {
    const list = await newList("half");
    const run = uid();
    const addresses = Array.from({ length: CONFIRMATION_PAGE_SIZE }, (_, i) => `h${i}-${run}@invitees.test`);
    const e = listEnv();
    expect((await addMembers(e, list, addresses)).status).toBe(201);
    const [page] = e.FANOUT_QUEUE.jobs.splice(0) as unknown as ConfirmationPageJobV1[];

    // R2 fails on the 8th body: the page is retried with 7 confirmations already queued.
    let puts = 0;
    const failing = {
      ...e,
      MAIL: new Proxy(e.MAIL, {
        get(t, p) {
          const value = Reflect.get(t, p);
          if (p !== "put") return typeof value === "function" ? value.bind(t) : value;
          return (...args: Parameters<R2Bucket["put"]>) => {
            if (++puts === 8) throw new Error("R2 unavailable");
            return t.put(...args);
          };
        },
      }),
    } as ListTestEnv;
    expect((await runPages(failing, [page!])).retryMessages).toHaveLength(1);
    expect((await runPages(e, [page!])).retryMessages).toHaveLength(0);
    const rcpts = (e.DELIVERY_QUEUE.jobs as DeliveryJob[]).flatMap((j) => j.recipients.map((r) => r.rcpt));
    expect(rcpts.sort()).toEqual([...addresses].sort());
  });
});
