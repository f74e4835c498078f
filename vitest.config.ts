import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Tests run inside workerd against miniflare's real D1, R2 and Queues, configured from wrangler.toml.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            ADMIN_TOKEN: "test-admin-token",
            SRS_SECRET: "test-srs-secret",
            KEY_ENCRYPTION_KEY: "dGVzdC1rZXktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXMh",
            LIST_SECRET: "test-list-secret",
            AUTHSERV_ID: "mx.facteur.test",
          },
        },
      }),
    ],
    resolve: {
      alias: {
        // tldts' ES build does not resolve under the vitest workers pool (DESIGN.md); its
        // self-contained bundle does.
        tldts: path.join(import.meta.dirname, "node_modules/tldts/dist/index.cjs.min.js"),
      },
    },
    test: {
      setupFiles: ["./test/setup.ts"],
      testTimeout: 30_000,
    },
  };
});
