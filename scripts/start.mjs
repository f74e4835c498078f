#!/usr/bin/env node
// `npm start`: everything a fresh machine needs to run Facteur locally on its embedded default.
// 1. .dev.vars from .dev.vars.example when missing (local secrets);
// 2. local D1 migrations, then the demo domain (idempotent);
// 3. a local DNS-over-HTTPS server answering from scripts/demo/zone.json, so no internet is needed;
// 4. wrangler dev with local D1, R2 and Queues, DOH_URL pointing at that server, and the capture
//    relay (RELAY_URL=capture:) as the outbound relay.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = join(root, "node_modules", ".bin", "wrangler");
const port = process.env.PORT ?? "8787";
// No network is assumed: keep wrangler from phoning home for metrics.
process.env.WRANGLER_SEND_METRICS ??= "false";
const dohPort = process.env.DOH_PORT ?? "8053";

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, CI: "true" } });
  if (result.status !== 0) {
    console.error(`facteur: "${cmd} ${args.join(" ")}" failed with status ${result.status}`);
    process.exit(result.status ?? 1);
  }
}

if (!existsSync(join(root, ".dev.vars"))) {
  copyFileSync(join(root, ".dev.vars.example"), join(root, ".dev.vars"));
  console.log("facteur: created .dev.vars from .dev.vars.example");
}
run(wrangler, ["d1", "migrations", "apply", "facteur", "--local"]);
run(wrangler, ["d1", "execute", "facteur", "--local", "--file", "scripts/demo/seed.sql"]);

const children = [];
const doh = spawn(
  process.execPath,
  [join(root, "scripts", "doh-server.mjs"), "--port", dohPort, "--zone", join(root, "scripts", "demo", "zone.json")],
  {
    cwd: root,
    stdio: "inherit",
  },
);
children.push(doh);
const dev = spawn(
  wrangler,
  [
    "dev",
    "--local",
    "--port",
    port,
    "--var",
    `DOH_URL:http://127.0.0.1:${dohPort}/dns-query`,
    "--var",
    "RELAY_URL:capture:",
  ],
  { cwd: root, stdio: "inherit" },
);
children.push(dev);
const stop = () => {
  for (const child of children) child.kill("SIGTERM");
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
dev.on("exit", (code) => {
  stop();
  process.exit(code ?? 0);
});
