/**
 * A backup of a list with 10,000 members round-trips through a wiped database, and its size is
 * measured (printed as `backup-scale:` for the README and the closing note).
 */
import { env } from "cloudflare:test";
import { expect, it } from "vitest";
import { BACKUP_TABLES } from "../../src/store/backup-tables";
import { call, createDomainFixture, ok } from "./helpers";

const MEMBERS = 10_000;

async function exportText(): Promise<string> {
  const response = await call(
    "GET",
    "/api/v1/export?format=ndjson&include_password_hashes=true&include_dkim_keys=true",
  );
  expect(response.status).toBe(200);
  return new TextDecoder().decode(await response.arrayBuffer());
}

it(`round-trips ${MEMBERS} members and measures the backup`, { timeout: 240_000 }, async () => {
  await createDomainFixture("big.example");
  await ok(await call("POST", "/api/v1/lists", { body: { address: "big@big.example", name: "Big" } }), 201);
  const now = Date.now();
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    const address = `member${String(i).padStart(5, "0")}@example.net`;
    statements.push(
      env.DB.prepare(
        `INSERT INTO list_members (list_address, address, lookup, verp_key, display_name, role, status, delivery_mode, bounce_score, created_at, updated_at)
         VALUES ('big@big.example', ?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)`,
      ).bind(
        address,
        i.toString(16).padStart(16, "0"),
        `Member ${i}`,
        i % 500 === 0 ? "moderator" : "member",
        i % 97 === 0 ? "disabled" : "active",
        ["each", "digest_daily", "digest_weekly", "nomail"][i % 4],
        (i % 7) / 2,
        now + i,
      ),
    );
  }
  for (let i = 0; i < statements.length; i += 500) await env.DB.batch(statements.slice(i, i + 500));

  const started = Date.now();
  const first = await exportText();
  const exportMs = Date.now() - started;
  const end = JSON.parse(first.trimEnd().split("\n").at(-1) ?? "{}");
  expect(end.rows.list_members).toBe(MEMBERS);
  const rows = Object.values(end.rows as Record<string, number>).reduce((a, b) => a + b, 0);

  for (const table of [...BACKUP_TABLES].reverse()) await env.DB.prepare(`DELETE FROM ${table.name}`).run();
  const importStarted = Date.now();
  const restored = await call("POST", "/api/v1/import", { rawBody: first, contentType: "application/x-ndjson" });
  const report = (await restored.json()) as { created: Record<string, number> };
  const importMs = Date.now() - importStarted;
  expect(restored.status).toBe(200);
  expect(report.created.list_members).toBe(MEMBERS);

  const second = await exportText();
  expect(second.split("\n").slice(1)).toEqual(first.split("\n").slice(1));
  const bytes = new TextEncoder().encode(first).length;
  console.log(
    `backup-scale: ${MEMBERS} members, ${rows} rows, ${end.objects} objects, ${bytes} bytes (${(bytes / 1024 / 1024).toFixed(2)} MiB), export ${exportMs} ms, import ${importMs} ms`,
  );
});
