#!/usr/bin/env node
// Copies the browser files of exact-pinned npm packages into public/vendor/ (gitignored), where
// Workers Static Assets serves them: Swagger UI at /api/docs loads nothing from a CDN, so it works
// offline. Run by scripts/ensure-deps.mjs (before `npm start` / `npm test`) and vitest.config.ts.
import { copyFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const FILES = {
  "swagger-ui-dist": ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"],
};

export function copyVendorAssets() {
  for (const [pkg, files] of Object.entries(FILES)) {
    const target = join(root, "public", "vendor", pkg);
    mkdirSync(target, { recursive: true });
    for (const file of files) {
      const from = join(root, "node_modules", pkg, file);
      const to = join(target, file);
      if (existsSync(to) && statSync(to).mtimeMs >= statSync(from).mtimeMs) continue;
      copyFileSync(from, to);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) copyVendorAssets();
