import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateApiTypes, TYPES_PATH } from "../../../scripts/cli-types.mjs";
import { startDevWorker } from "../../../scripts/dev-worker.mjs";
import { facteur, sendLocalMail, startDoh } from "./harness";

let worker: Awaited<ReturnType<typeof startDevWorker>>;
let doh: Awaited<ReturnType<typeof startDoh>>;
let env: Record<string, string>;
const files = mkdtempSync(join(tmpdir(), "facteur-cli-"));

beforeAll(async () => {
  worker = await startDevWorker({ adminToken: "cli-secret-token-4f9a" });
  doh = await startDoh({
    "example.com": {
      MX: [{ exchange: "route1.mx.cloudflare.net", priority: 10 }],
      TXT: ["v=spf1 include:_spf.mx.cloudflare.net ~all"],
    },
    "_dmarc.example.com": { TXT: ["v=DMARC1; p=none"] },
  });
  env = { FACTEUR_URL: worker.url, FACTEUR_TOKEN: worker.adminToken };
});
afterAll(async () => {
  doh?.stop();
  await worker?.stop();
});

describe("facteur CLI against the Worker under wrangler dev", () => {
  it("its client types are the ones generated from the Worker's own OpenAPI document", async () => {
    const document = await (await fetch(`${worker.url}/api/openapi.json`)).json();
    // Regenerate with `npm run cli:types` when this fails.
    expect(await generateApiTypes(document)).toBe(readFileSync(TYPES_PATH, "utf8"));
  });

  it("usage: --help is 0, bad usage is 2, an API error is 1, and the token is never echoed", async () => {
    const help = await facteur(["--help"], {});
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("usage: facteur");
    expect((await facteur([], {})).status).toBe(2);
    expect((await facteur(["bogus", "list"], env)).status).toBe(2);
    expect((await facteur(["domains", "frobnicate"], env)).status).toBe(2);
    const noUrl = await facteur(["domains", "list"], { FACTEUR_TOKEN: "x" });
    expect(noUrl.status).toBe(2);
    expect(noUrl.stderr).toContain("FACTEUR_URL");
    const wrong = await facteur(["domains", "list", "--token", "wrong-token-7c1e"], { FACTEUR_URL: worker.url });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/401/);
    expect(wrong.stdout + wrong.stderr).not.toContain("wrong-token-7c1e");
    const config = await facteur(["config"], env);
    expect(config.stdout).toContain("set  (FACTEUR_TOKEN)");
    expect(config.stdout).not.toContain(worker.adminToken);
    // The config file is the last source: url and token from it, flags and environment first.
    const file = join(files, "config.json");
    writeFileSync(file, JSON.stringify({ url: worker.url, token: worker.adminToken }));
    const fromFile = await facteur(["domains", "list", "--config", file], {});
    expect(fromFile.status).toBe(0);
  });

  it("domains, aliases, suppressions and tokens: add, list, get, set, remove; tables and --json", async () => {
    const added = await facteur(["domains", "add", "example.com"], env);
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^name\s+example\.com$/m);
    const list = await facteur(["domains", "list"], env);
    expect(list.stdout.split("\n")[0]).toMatch(/^NAME\s+ENABLED/);
    expect(list.stdout).toMatch(/^example\.com\s+true/m);
    const set = await facteur(
      ["domains", "set", "example.com", "--catch-all", "a@example.net,b@example.net", "--json"],
      env,
    );
    expect(JSON.parse(set.stdout).catch_all).toEqual(["a@example.net", "b@example.net"]);
    expect((await facteur(["domains", "add", "example.com"], env)).status).toBe(1);

    const alias = await facteur(
      ["aliases", "add", "info@example.com", "--to", "a@example.net", "--description", "front desk"],
      env,
    );
    expect(alias.status, alias.stderr).toBe(0);
    const aliases = JSON.parse((await facteur(["aliases", "list", "--domain", "example.com", "--json"], env)).stdout);
    expect(aliases.items.map((a: { address: string }) => a.address)).toEqual(["info@example.com"]);
    await facteur(["aliases", "set", "info@example.com", "--enabled", "false"], env);
    expect(JSON.parse((await facteur(["aliases", "get", "info@example.com", "--json"], env)).stdout).enabled).toBe(
      false,
    );
    expect((await facteur(["aliases", "remove", "info@example.com"], env)).status).toBe(0);
    const gone = await facteur(["aliases", "get", "info@example.com"], env);
    expect(gone.status).toBe(1);
    expect(gone.stderr).toMatch(/404/);

    expect((await facteur(["suppressions", "add", "spam@example.org", "--reason", "complaint"], env)).status).toBe(0);
    expect((await facteur(["suppressions", "list"], env)).stdout).toContain("spam@example.org");
    expect((await facteur(["suppressions", "remove", "spam@example.org"], env)).status).toBe(0);

    const token = JSON.parse(
      (await facteur(["tokens", "add", "ci", "--scopes", "domain:example.com", "--json"], env)).stdout,
    );
    expect(token.token).toBeTruthy();
    const scoped = await facteur(["domains", "list", "--json"], {
      FACTEUR_URL: worker.url,
      FACTEUR_TOKEN: token.token,
    });
    expect(JSON.parse(scoped.stdout).items.map((d: { name: string }) => d.name)).toEqual(["example.com"]);
    expect((await facteur(["tokens", "list"], env)).stdout).toContain("ci");
    expect((await facteur(["tokens", "remove", token.id], env)).status).toBe(0);
    expect((await facteur(["domains", "list"], { FACTEUR_URL: worker.url, FACTEUR_TOKEN: token.token })).status).toBe(
      1,
    );

    for (const empty of [
      ["messages", "list"],
      ["deliveries", "list"],
    ]) {
      const r = await facteur(empty, env);
      expect(r.status, r.stderr).toBe(0);
    }
  });

  it("lists and members, with members import from CSV and from Mailman 3, one result per line", async () => {
    expect((await facteur(["lists", "add", "team@example.com", "--name", "Team"], env)).status).toBe(0);
    expect(
      (await facteur(["members", "add", "team@example.com", "zed@example.org", "--skip-confirmation"], env)).status,
    ).toBe(0);
    const csv = join(files, "members.csv");
    writeFileSync(
      csv,
      'email,name,role\nann@example.org,"Person, Ann",moderator\nnot-an-address,Nobody,member\nbob@example.org,,\n',
    );
    const imported = await facteur(
      ["members", "import", "team@example.com", csv, "--skip-confirmation", "--json"],
      env,
    );
    expect(imported.status).toBe(1);
    expect(JSON.parse(imported.stdout)).toEqual([
      { line: 2, address: "ann@example.org", result: "added" },
      { line: 3, address: "not-an-address,Nobody,member", result: "invalid: not an address" },
      { line: 4, address: "bob@example.org", result: "added" },
    ]);
    expect(imported.stderr).toContain("2 imported, 1 not imported");
    expect(imported.stderr).toMatch(/\[#+\] 2\/2/);
    const mailman = join(files, "members.txt");
    writeFileSync(
      mailman,
      '# mailman members team@lists.example.org\n"Person, Cy" <cy@example.org>\n\nDee Doe <dee@example.org>\neve@example.org\n',
    );
    const mm = await facteur(
      ["members", "import", "team@example.com", mailman, "--format", "mailman", "--skip-confirmation"],
      env,
    );
    expect(mm.status, mm.stderr).toBe(0);
    expect(mm.stdout).toMatch(/^2\s+cy@example\.org\s+added$/m);
    expect(mm.stdout).toMatch(/^5\s+eve@example\.org\s+added$/m);
    const cy = JSON.parse(
      (await facteur(["members", "get", "team@example.com", "cy@example.org", "--json"], env)).stdout,
    );
    expect(cy).toMatchObject({ display_name: "Person, Cy", status: "active" });
    const ann = JSON.parse(
      (await facteur(["members", "get", "team@example.com", "ann@example.org", "--json"], env)).stdout,
    );
    expect(ann).toMatchObject({ display_name: "Person, Ann", role: "moderator" });
    const all = JSON.parse(
      (await facteur(["members", "list", "team@example.com", "--all", "--limit", "2", "--json"], env)).stdout,
    );
    expect(all.items).toHaveLength(6);
    await facteur(["members", "set", "team@example.com", "bob@example.org", "--role", "owner"], env);
    expect(
      JSON.parse((await facteur(["members", "get", "team@example.com", "bob@example.org", "--json"], env)).stdout).role,
    ).toBe("owner");
    expect((await facteur(["members", "remove", "team@example.com", "bob@example.org"], env)).status).toBe(0);
    expect((await facteur(["held", "list", "team@example.com"], env)).stdout).toContain("(none)");
  });

  it("logs tail prints the log oldest first, then what arrives while it polls", async () => {
    await sendLocalMail(worker.url, "one@sender.example", "nobody@unknown.example", "first");
    await sendLocalMail(worker.url, "two@sender.example", "nobody@unknown.example", "second");
    const once = await facteur(["logs", "tail", "--once", "--json", "--lines", "2"], env);
    expect(once.status, once.stderr).toBe(0);
    expect(
      once.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).mail_from),
    ).toEqual(["one@sender.example", "two@sender.example"]);
    const tail = facteur(["logs", "tail", "--interval", "0.3", "--count", "3", "--lines", "2"], env);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await sendLocalMail(worker.url, "three@sender.example", "nobody@unknown.example", "third");
    const result = await tail;
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain("three@sender.example → nobody@unknown.example");
  });

  it("dns check compares the published records with what Facteur needs", async () => {
    const before = await facteur(["dns", "check", "example.com", "--doh", doh.url], env);
    expect(before.status, before.stderr).toBe(0);
    expect(before.stdout).toMatch(/^MX\s+example\.com.*ok$/m);
    const key = await fetch(`${worker.url}/api/v1/domains/example.com/dkim`, {
      method: "POST",
      headers: { authorization: `Bearer ${worker.adminToken}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(key.status).toBe(201);
    const missing = await facteur(["dns", "check", "example.com", "--doh", doh.url, "--json"], env);
    expect(missing.status).toBe(1);
    const dkim = JSON.parse(missing.stdout).find((c: { record: string }) => c.record === "TXT (DKIM)");
    expect(dkim).toMatchObject({ ok: false, found: "(none)" });
    const zone = JSON.parse(readFileSync(doh.zonePath, "utf8"));
    zone[dkim.name] = { TXT: [dkim.expected] };
    writeFileSync(doh.zonePath, JSON.stringify(zone));
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const after = await facteur(["dns", "check", "example.com", "--doh", doh.url], env);
    expect(after.stdout).not.toContain("MISSING");
    expect(after.status, after.stdout).toBe(0);
  });
});
