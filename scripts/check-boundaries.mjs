#!/usr/bin/env node
// The import-boundary check `npm test` runs (README.md, "Architecture"):
// 1. dependency-cruiser with .dependency-cruiser.cjs: no folder cycle in src/ (type-only imports
//    count), no src/ → test/ or bench/, mailauth only from src/mailauth/, the layer matrix;
// 2. what dependency-cruiser cannot see, because SQL is a string: every D1 statement
//    (`.prepare(`) lives under src/store/, the data layer.
// Exits non-zero, naming each offending import or file, when either fails.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src");
let failed = false;

const depcruise = join(root, "node_modules", "dependency-cruiser", "bin", "dependency-cruiser.mjs");
const cruise = spawnSync(
  process.execPath,
  [depcruise, "src", "--config", ".dependency-cruiser.cjs", "--output-type", "err"],
  { cwd: root, stdio: "inherit" },
);
if (cruise.status !== 0) {
  console.error("check-boundaries: import boundaries violated (rules and matrix: .dependency-cruiser.cjs)");
  failed = true;
}

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(name) ? [path] : [];
  });
}

const store = `src${sep}store${sep}`;
const sqlOutsideStore = sourceFiles(src)
  .map((file) => relative(root, file))
  .filter((file) => !file.startsWith(store))
  .filter((file) => /\.prepare\s*\(/.test(readFileSync(join(root, file), "utf8")));
if (sqlOutsideStore.length > 0) {
  console.error("check-boundaries: D1 statements (`.prepare(`) belong in src/store/, found in:");
  for (const file of sqlOutsideStore) console.error(`  ${file.split(sep).join("/")}`);
  failed = true;
}

if (failed) process.exit(1);
console.log("check-boundaries: import boundaries hold and all SQL is in src/store/");
