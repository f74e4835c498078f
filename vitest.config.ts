import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { copyVendorAssets } from "./scripts/copy-vendor-assets.mjs";

// workerd verifies TLS certificates against the CA file named by SSL_CERT_FILE in its environment
// (DESIGN.md). Point it at the TEST-ONLY CA of the loopback SMTP sink before miniflare starts, so
// STARTTLS and implicit TLS are tested for real (test/servers/certs/).
process.env.SSL_CERT_FILE = path.join(import.meta.dirname, "test/servers/certs/ca.pem");

// wrangler.toml's [assets] directory must hold Swagger UI's files before miniflare reads it.
copyVendorAssets();

// Tests run inside workerd against miniflare's real D1, R2 and Queues, configured from wrangler.toml.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  // Two projects: "workers" runs inside workerd (the Worker's own code, real D1/R2/Queues);
  // "node" runs in Node for what a Worker cannot do: drive a browser, spawn wrangler or a CLI,
  // run Python verifiers (test/node/**).
  const workers = {
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
            // Webhook tests POST to a plain-http receiver on 127.0.0.1 (webhooks/url-policy.ts).
            ENVIRONMENT: "development",
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
      name: "workers",
      include: ["test/**/*.test.ts"],
      exclude: ["test/node/**"],
      setupFiles: ["./test/setup.ts"],
      // Real SMTP sink and Mailgun stand-in on 127.0.0.1, addresses given to tests via inject().
      // Conformance data (../shared/conformance) served read-only on 127.0.0.1: inject("conformanceData").
      // MIME corpus (../shared/conformance/mime-corpus) for hostile-input tests: inject("mimeCorpus").
      // The local DoH server (scripts/doh-server.mjs) over a real socket: inject("dohServer").
      // A webhook receiver verifying Standard Webhooks signatures: inject("webhookReceiver").
      // dkimpy's arc_verify behind a loopback HTTP service (workerd cannot spawn): inject("arcVerifier").
      // Python's mailbox module reading an mbox posted to it: inject("mboxReader").
      globalSetup: [
        "./test/servers/global-setup.ts",
        // A private Postfix (+ Dovecot SASL) as a real relay: inject("postfix").
        "./test/servers/postfix-setup.ts",
        "./test/conformance/global-setup.ts",
        "./test/hostile/global-setup.ts",
        "./test/dns/global-setup.ts",
        // The Cloudflare API stand-in for sync (test/cloudflare/): inject("cloudflareMock").
        "./test/cloudflare/global-setup.ts",
        "./test/webhooks/global-setup.ts",
        "./test/arc/global-setup.ts",
        "./test/archive/global-setup.ts",
      ],
      testTimeout: 30_000,
    },
  };
  return {
    test: {
      projects: [
        workers,
        {
          test: {
            name: "node",
            // Includes the real-browser flows of the web interface (test/node/web/, Chromium from
            // scripts/system-deps.sh); `npm run test:browser` runs only those.
            include: ["test/node/**/*.test.ts"],
            environment: "node",
            testTimeout: 120_000,
            hookTimeout: 300_000,
          },
        },
      ],
    },
  };
});
