// Test-only bindings (STYLE.md: declared here, never in the generated worker-configuration.d.ts).
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}

// .eml fixtures under test/fixtures/ are imported as text with Vite's `?raw` suffix: workerd tests
// cannot read the file system at run time (test/helpers/fixture.ts).
declare module "*.eml?raw" {
  const content: string;
  export default content;
}

// wrangler.toml read as text, to check a setting against the code (test/scheduled/sweep-budgets.test.ts).
declare module "*.toml?raw" {
  const content: string;
  export default content;
}

// Vite's import.meta.glob (eager form), for tests that check every module of a folder is wired in.
interface ImportMeta {
  glob(pattern: string, options: { eager: true }): Record<string, unknown>;
}
