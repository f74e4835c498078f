#!/usr/bin/env node
// Runs before `npm start` and `npm test` (npm's prestart/pretest): on a fresh clone, installs
// exactly what package-lock.json pins, so each README command works alone on a new machine.
// Written for the machine's own Node (20): it runs before node@22 is installed.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const installed = join(root, "node_modules", ".package-lock.json");
const lock = join(root, "package-lock.json");
const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs;
if (stale) {
  console.log("facteur: installing the pinned dependencies (npm ci)…");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
// Swagger UI's files are served by the Worker from public/vendor/ (Workers Static Assets).
spawnSync(process.execPath, [join(root, "scripts", "copy-vendor-assets.mjs")], { cwd: root, stdio: "inherit" });
