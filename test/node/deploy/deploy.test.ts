import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startFakeWorker } from "./fake-worker";
import { freshAccount, mutations, sandbox } from "./harness";

const migrations = readdirSync(join(import.meta.dirname, "../../../migrations")).filter((f) => f.endsWith(".sql"));
// Every `queue =` of wrangler.toml in order (producers, then consumers: facteur-sending-events has
// no producer, Cloudflare writes it), then the dead-letter queues.
const queues = [
  "facteur-delivery",
  "facteur-fanout",
  "facteur-webhooks",
  "facteur-delivery-dlq",
  "facteur-sending-events",
  "facteur-webhooks-dlq",
  "facteur-fanout-dlq",
  "facteur-sending-events-dlq",
];
const secrets = ["ADMIN_TOKEN", "SRS_SECRET", "KEY_ENCRYPTION_KEY", "LIST_SECRET"];
const FOURTEEN_DAYS = "1209600";

describe("npm run deploy with a stand-in wrangler", () => {
  it("without credentials, --dry-run prints the plan and names the missing credential", async () => {
    const box = sandbox(freshAccount({ loggedIn: false }));
    const run = await box.run(["--dry-run", "--domain", "example.com"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('D1 database "facteur"');
    for (const q of queues) expect(run.stdout).toContain(`queue "${q}"`);
    expect(run.stdout).toContain("*@example.com");
    expect(run.stdout).toMatch(/Missing credential: CLOUDFLARE_API_TOKEN/);
    expect(run.calls).toEqual([["whoami", "--json"]]);
    expect(box.config()).toBeNull();
    // Without --dry-run the same situation is a failure.
    expect((await box.run([])).status).toBe(1);
  });

  it("with several accounts and no CLOUDFLARE_ACCOUNT_ID, says which variable to set and to what", async () => {
    const box = sandbox(
      freshAccount({
        accounts: [
          { id: "a1", name: "One" },
          { id: "b2", name: "Two" },
        ],
      }),
    );
    const run = await box.run(["--dry-run"]);
    expect(run.stdout).toMatch(/Missing credential: CLOUDFLARE_ACCOUNT_ID/);
    expect(run.stdout).toContain("a1 (One), b2 (Two)");
    expect(mutations(run.calls)).toEqual([]);
    expect((await box.run(["--dry-run"], { CLOUDFLARE_ACCOUNT_ID: "b2" })).stdout).toContain("Account b2");
  });

  it("first run creates everything, deploys once with the generated secrets; the second changes nothing", async () => {
    const box = sandbox(freshAccount());
    const dry = await box.run(["--dry-run", "--domain", "Example.com"]);
    expect(dry.status).toBe(0);
    expect(mutations(dry.calls)).toEqual([]);
    expect(dry.stdout).toMatch(/Dry run: \d+ change\(s\) planned, nothing changed/);

    const worker = await startFakeWorker(() => box.account().worker?.secrets.ADMIN_TOKEN);
    const withWorker = { FAKE_WORKER_URL: worker.url };
    const first = await box.run(["--domain", "example.com"], withWorker);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    const done = mutations(first.calls);
    const deployCall = first.calls.find((c) => c[0] === "deploy")!;
    const secretsFile = deployCall[deployCall.indexOf("--secrets-file") + 1]!;
    const tag = deployCall[deployCall.indexOf("--tag") + 1]!;
    expect(done).toEqual([
      "d1 create facteur",
      "r2 bucket create facteur-mail",
      ...queues.map((q) => `queues create ${q} --message-retention-period-secs ${FOURTEEN_DAYS}`),
      `d1 migrations apply facteur --remote -c ${box.deployConfigPath}`,
      "email routing enable example.com",
      `deploy -c ${box.deployConfigPath} --tag ${tag} --secrets-file ${secretsFile}`,
    ]);
    const account = box.account();
    const db = account.d1[0]!;
    expect(db.applied).toEqual(migrations);
    expect(Object.values(account.queues).map((q) => q.retention)).toEqual(queues.map(() => 1209600));
    expect(Object.keys(account.worker!.secrets).sort()).toEqual([...secrets].sort());
    expect(Buffer.from(account.worker!.secrets.KEY_ENCRYPTION_KEY!, "base64")).toHaveLength(32);
    expect(account.zones["example.com"]).toMatchObject({ enabled: true, catchAll: "worker:facteur" });
    // ADMIN_TOKEN is printed exactly once, and it is the value Cloudflare holds; the others never.
    const token = account.worker!.secrets.ADMIN_TOKEN!;
    expect(first.stdout.split(token).length - 1).toBe(1);
    for (const name of ["SRS_SECRET", "LIST_SECRET", "KEY_ENCRYPTION_KEY"]) {
      expect(first.stdout).not.toContain(account.worker!.secrets[name]!);
    }
    // The ids live in facteur.config.json and the generated wrangler config, never in wrangler.toml.
    expect(box.config()).toMatchObject({ domains: ["example.com"], resources: { d1_database_id: db.uuid } });
    const generated = readFileSync(box.deployConfigPath, "utf8");
    expect(generated).toContain(`database_id = "${db.uuid}"`);
    expect(generated).toContain('addresses = ["*@example.com"]');
    // With the token it just generated, deploy registered the domain and made its DKIM key, so it
    // prints the exact records, the DKIM key's among them.
    expect(worker.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /api/v1/domains/example.com",
      "POST /api/v1/domains",
      "GET /api/v1/domains/example.com/dkim",
      "POST /api/v1/domains/example.com/dkim",
      "GET /api/v1/domains/example.com/dkim",
    ]);
    expect(new Set(worker.requests.map((r) => r.auth))).toEqual(new Set([`Bearer ${token}`]));
    expect(first.stdout).toContain("in Facteur: domain created, DKIM key created.");
    expect(first.stdout).toMatch(/TXT\s+f1\._domainkey\.example\.com\s+v=DKIM1; k=rsa; p=KEY-f1/);
    expect(first.stdout).toMatch(/MX\s+example\.com\s+route1\.mx\.cloudflare\.net\s+\(priority 10\)/);
    expect(box.config().url).toBe(worker.url);

    const second = await box.run([], withWorker);
    expect(second.status).toBe(0);
    expect(mutations(second.calls)).toEqual([]);
    expect(second.stdout).toContain("Nothing to change: everything is already in place.");
    expect(second.stdout).not.toContain(token);
    expect(box.account().worker!.secrets).toEqual(account.worker!.secrets);
    expect(box.account().deploys).toBe(1);
    // Without a token the second run cannot ask the API, and says how to do it by hand.
    expect(second.stdout).toContain(
      `FACTEUR_URL=${worker.url} FACTEUR_TOKEN=<ADMIN_TOKEN> npx facteur domains add example.com`,
    );
    // With FACTEUR_TOKEN it checks, and changes nothing in Facteur either.
    worker.requests.length = 0;
    const third = await box.run([], { ...withWorker, FACTEUR_TOKEN: token });
    expect(third.stdout).toContain("in Facteur: domain exists, DKIM key exists.");
    expect(worker.requests.filter((r) => r.method !== "GET")).toEqual([]);
    await worker.close();
  });

  it("a failure half-way is resumed by running again, without redoing what was done", async () => {
    const box = sandbox(freshAccount({ failOnce: ["queues create facteur-delivery-dlq"] }));
    const first = await box.run(["--domain", "example.com"]);
    expect(first.status).toBe(1);
    expect(first.stdout).toMatch(/queue "facteur-delivery-dlq".*failed/);
    expect(first.stdout).toContain("re-run `npm run deploy` to resume");
    expect(box.account().worker).toBeUndefined();
    const id = box.config().resources.d1_database_id;
    expect(id).toBe(box.account().d1[0]!.uuid);

    const second = await box.run([]);
    expect(second.status).toBe(0);
    const done = mutations(second.calls);
    expect(done.filter((c) => /^(d1 create|r2 bucket create)/.test(c))).toEqual([]);
    expect(done.filter((c) => c.startsWith("queues create"))).toEqual([
      `queues create facteur-delivery-dlq --message-retention-period-secs ${FOURTEEN_DAYS}`,
      `queues create facteur-sending-events --message-retention-period-secs ${FOURTEEN_DAYS}`,
      `queues create facteur-webhooks-dlq --message-retention-period-secs ${FOURTEEN_DAYS}`,
      `queues create facteur-fanout-dlq --message-retention-period-secs ${FOURTEEN_DAYS}`,
      `queues create facteur-sending-events-dlq --message-retention-period-secs ${FOURTEEN_DAYS}`,
    ]);
    expect(box.account().d1).toHaveLength(1);
    expect(box.account().deploys).toBe(1);
  });

  it("a failed deploy sets no secret and prints no token; the next run generates and prints one", async () => {
    const box = sandbox(freshAccount({ failOnce: ["deploy"] }));
    const first = await box.run(["--domain", "example.com"]);
    expect(first.status).toBe(1);
    expect(first.stdout).not.toContain("ADMIN_TOKEN (shown once");
    const second = await box.run([]);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain(
      `ADMIN_TOKEN (shown once, keep it in a password manager): ${box.account().worker!.secrets.ADMIN_TOKEN}`,
    );
  });

  it("never overwrites a secret that exists, sets retention on queues made by hand, and redeploys changed code", async () => {
    const account = freshAccount({
      d1: [{ uuid: "5d2c0b4e-0000-4000-8000-000000000001", name: "facteur", applied: [] }],
      r2: ["facteur-mail"],
      queues: { "facteur-delivery": { id: "q1", retention: 345600 } },
      worker: { secrets: { SRS_SECRET: "kept-value" }, version: { id: "v0", tag: "old" } },
      zones: { "example.com": { enabled: true, tag: "t", catchAll: "worker:facteur" } },
    });
    const box = sandbox(account);
    const run = await box.run(["--domain", "example.com"]);
    expect(run.status).toBe(0);
    const done = mutations(run.calls);
    expect(done).toContain(`queues update facteur-delivery --message-retention-period-secs ${FOURTEEN_DAYS}`);
    expect(done).not.toContain("email routing enable example.com");
    const after = box.account();
    expect(after.worker!.secrets.SRS_SECRET).toBe("kept-value");
    expect(Object.keys(after.worker!.secrets).sort()).toEqual([...secrets].sort());
    expect(after.queues["facteur-delivery"]!.retention).toBe(1209600);
    // The deployed version's tag is not this code's fingerprint: it is deployed again.
    expect(done.filter((c) => c.startsWith("deploy -c"))).toHaveLength(1);
    expect(after.worker!.version!.tag).toMatch(/^facteur-[0-9a-f]{16}$/);
    expect((await box.run([])).stdout).toContain("Nothing to change");
  });

  it("uploads CLOUDFLARE_API_TOKEN from the environment once, never overwriting it and never printing it", async () => {
    const box = sandbox(freshAccount());
    const token = "cf-token-in-the-environment-0123456789";
    const dry = await box.run(["--dry-run", "--domain", "example.com"], { CLOUDFLARE_API_TOKEN: token });
    expect(dry.stdout).toContain("+ secret CLOUDFLARE_API_TOKEN (Cloudflare sync): upload the one in the environment");
    const first = await box.run(["--domain", "example.com"], { CLOUDFLARE_API_TOKEN: token });
    expect(first.status).toBe(0);
    expect(box.account().worker!.secrets.CLOUDFLARE_API_TOKEN).toBe(token);
    expect(Object.keys(box.account().worker!.secrets).sort()).toEqual([...secrets, "CLOUDFLARE_API_TOKEN"].sort());
    for (const out of [dry.stdout, dry.stderr, first.stdout, first.stderr]) expect(out).not.toContain(token);
    expect(first.calls.flat().join(" ")).not.toContain(token);

    // Another token in the environment later: the secret is kept, and nothing is deployed for it.
    const second = await box.run([], { CLOUDFLARE_API_TOKEN: "another-token-0000" });
    expect(second.status).toBe(0);
    expect(second.stdout).toContain(
      "= secret CLOUDFLARE_API_TOKEN (Cloudflare sync): up to date (already a secret, kept)",
    );
    expect(mutations(second.calls)).toEqual([]);
    expect(box.account().worker!.secrets.CLOUDFLARE_API_TOKEN).toBe(token);

    // A Worker deployed without it gets it on the next run with the token set: one deploy, no other change.
    const later = sandbox(freshAccount());
    expect((await later.run(["--domain", "example.com"])).status).toBe(0);
    expect(later.account().worker!.secrets.CLOUDFLARE_API_TOKEN).toBeUndefined();
    const withToken = await later.run([], { CLOUDFLARE_API_TOKEN: token });
    expect(mutations(withToken.calls).map((c) => c.split(" ")[0])).toEqual(["deploy"]);
    expect(later.account().worker!.secrets.CLOUDFLARE_API_TOKEN).toBe(token);
    expect(later.account().deploys).toBe(2);
  });

  it("a domain whose zone is not in the account is left out of addresses and reported", async () => {
    const box = sandbox(freshAccount());
    const run = await box.run(["--domain", "example.com", "--domain", "elsewhere.test"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("add elsewhere.test to this Cloudflare account as a zone first");
    expect(readFileSync(box.deployConfigPath, "utf8")).toContain('addresses = ["*@example.com"]');
    expect((await box.run(["--domain", "not a domain"])).status).toBe(2);
  });
});
