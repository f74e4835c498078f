// Runs scripts/deploy.mjs with the stand-in wrangler (fake-wrangler.mjs) first on PATH, against an
// account kept in a JSON file, and hands back what it printed, its exit code and wrangler's calls.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

const root = join(import.meta.dirname, "..", "..", "..");

export interface Account {
  loggedIn: boolean;
  accounts: { id: string; name: string }[];
  d1: { uuid: string; name: string; applied: string[] }[];
  r2: string[];
  queues: Record<string, { id: string; retention: number }>;
  zones: Record<string, { enabled: boolean; tag: string; catchAll: string | null }>;
  worker?: { secrets: Record<string, string>; version?: { id: string; tag: string | null } };
  deploys?: number;
  failOnce?: string[];
}

export function freshAccount(overrides: Partial<Account> = {}): Account {
  return {
    loggedIn: true,
    accounts: [{ id: "0123456789abcdef0123456789abcdef", name: "Ops" }],
    d1: [],
    r2: [],
    queues: {},
    zones: { "example.com": { enabled: false, tag: "zone-tag", catchAll: null } },
    ...overrides,
  };
}

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
  calls: string[][];
}

export function sandbox(account: Account) {
  const dir = mkdtempSync(join(tmpdir(), "facteur-deploy-"));
  const bin = join(dir, "bin");
  mkdirSync(bin);
  symlinkSync(join(import.meta.dirname, "fake-wrangler.mjs"), join(bin, "wrangler"));
  const statePath = join(dir, "account.json");
  writeFileSync(statePath, JSON.stringify(account));
  const configPath = join(dir, "facteur.config.json");
  let logLines = 0;
  return {
    dir,
    configPath,
    deployConfigPath: join(dir, ".wrangler", "deploy-facteur.toml"),
    account: (): Account => JSON.parse(readFileSync(statePath, "utf8")),
    setAccount: (next: Account) => writeFileSync(statePath, JSON.stringify(next)),
    config: () => (existsSync(configPath) ? JSON.parse(readFileSync(configPath, "utf8")) : null),
    async run(args: string[], env: Record<string, string> = {}): Promise<Run> {
      const logPath = join(dir, "calls.jsonl");
      const child = spawn(process.execPath, [join(root, "scripts", "deploy.mjs"), "--config", configPath, ...args], {
        cwd: root,
        env: {
          PATH: `${bin}${delimiter}${process.env.PATH}`,
          HOME: dir,
          FAKE_WRANGLER_STATE: statePath,
          FAKE_WRANGLER_LOG: logPath,
          FACTEUR_DEPLOY_RETRY_MS: "10",
          // Port 9 (discard) refuses at once: registration fails fast unless a test starts a fake Worker.
          FAKE_WORKER_URL: "http://127.0.0.1:9",
          ...env,
        } as unknown as NodeJS.ProcessEnv,
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      const status = await new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
      const lines = existsSync(logPath) ? readFileSync(logPath, "utf8").trim().split("\n").filter(Boolean) : [];
      const calls = lines.slice(logLines).map((line) => JSON.parse(line).args as string[]);
      logLines = lines.length;
      return { status, stdout, stderr, calls };
    },
  };
}

/** The calls that change the account (everything but the read-only look-ups). */
export function mutations(calls: string[][]): string[] {
  const reads = [/^whoami/, /^d1 list/, /^r2 bucket list/, /^queues info/, /^secret list/, /^d1 migrations list/];
  const more = [/^deployments status/, /^versions view/, /^email routing (settings|dns get)/];
  return calls.map((c) => c.join(" ")).filter((c) => ![...reads, ...more].some((re) => re.test(c)));
}
