/**
 * Import boundaries of src/ (README.md, "Architecture"). `npm test` runs them through
 * scripts/check-boundaries.mjs, which also checks what dependency-cruiser cannot see: SQL
 * (`.prepare(`) only under src/store/.
 *
 * LAYERS is the one statement of which folder may import which; the README's table is the same
 * matrix. A folder may always import itself; a folder not in this table is itself an error, so a new
 * folder has to be placed before it can be used.
 */

const STAGES = [
  "core",
  "mail",
  "dns",
  "mailauth",
  "store",
  "credentials",
  "receive",
  "authenticate",
  "route",
  "transform",
  "deliver",
  "bounce",
  "webhooks",
  "autoreply",
  "lists",
  "cloudflare",
];

/** folder → the folders under src/ it may import (besides itself). */
const LAYERS = {
  core: [],
  mail: ["core"],
  dns: ["core"],
  mailauth: ["core", "mail", "dns"],
  store: ["core", "mail"],
  credentials: ["core", "mail", "store"],
  receive: ["core", "mail", "store"],
  authenticate: ["core", "mail", "dns", "mailauth", "store"],
  route: ["core", "mail", "store", "receive", "authenticate"],
  transform: ["core", "mail", "mailauth", "store", "credentials", "authenticate"],
  deliver: ["core", "mail", "mailauth", "store", "credentials", "route", "transform"],
  bounce: ["core", "mail", "mailauth", "store", "credentials", "deliver"],
  webhooks: ["core", "mail", "store", "credentials", "authenticate", "deliver"],
  autoreply: ["core", "mail", "mailauth", "store", "credentials", "authenticate", "deliver"],
  lists: STAGES.filter((stage) => stage !== "lists" && stage !== "cloudflare"),
  // DMARC and TLS reports: parsed (pure) and filed through store/.
  reports: ["core", "mail", "store"],
  // What a domain publishes in DNS against what Facteur expects (MTA-STS policy, health check).
  health: ["core", "mail", "dns", "store", "credentials"],
  // Cloudflare's own API (DNS records, Email Routing): read from D1, write to Cloudflare.
  cloudflare: ["core", "mail", "dns", "store", "credentials", "health"],
  // Email Sending's lifecycle events (a Queue Cloudflare writes): rows, suppressions, list bounces.
  "sending-events": ["core", "mail", "store", "lists"],
  sweeps: STAGES,
  runners: [...STAGES, "sending-events"],
  api: [...STAGES, "reports", "health"],
  // The web interface acts through the admin API in-process (api/in-process.ts), so it sits above it.
  web: [...STAGES, "reports", "health", "api"],
};

/** Top-level files: the Worker's entry points, which may import anything. */
const ENTRY_POINTS = ["inbound.ts", "index.ts"];

const FOLDERS = Object.keys(LAYERS);
const alternatives = (names) => names.map((name) => name.replace(/[.]/g, "\\.")).join("|");

const layerRules = FOLDERS.map((folder) => ({
  name: `layer-${folder}`,
  comment: `src/${folder}/ may import only ${LAYERS[folder].length ? LAYERS[folder].join(", ") : "nothing else in src/"} (README.md, "Architecture")`,
  severity: "error",
  from: { path: `^src/${folder}/` },
  to: {
    path: "^src/",
    pathNot: [`^src/(${alternatives([folder, ...LAYERS[folder]])})/`],
  },
}));

module.exports = {
  forbidden: [
    {
      name: "no-folder-cycle",
      comment:
        "Folders under src/ form a directed graph: a cycle between two folders, even through a type-only import, points a dependency the wrong way",
      severity: "error",
      scope: "folder",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "no-test-or-bench-from-src",
      comment: "Production code never imports test or benchmark code",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(test|bench)/" },
    },
    {
      name: "mailauth-only-in-mailauth",
      comment: "src/mailauth/ is the one importer of the mailauth package (its crypto compat and private members)",
      severity: "error",
      from: { pathNot: "^src/mailauth/" },
      to: { path: "(^|/)node_modules/mailauth/|^mailauth(/|$)" },
    },
    {
      name: "no-entry-point-imports",
      comment: "The entry points (src/inbound.ts, src/index.ts) sit on top: no folder imports them",
      severity: "error",
      from: { path: "^src/[^/]+/" },
      to: { path: `^src/(${alternatives(ENTRY_POINTS)})$` },
    },
    {
      name: "folder-in-layout",
      comment: `Every module of src/ lives in a folder of the layout (${FOLDERS.join(", ")}) or is an entry point`,
      severity: "error",
      from: { path: "^src/" },
      to: {
        path: "^src/",
        pathNot: [`^src/(${alternatives(FOLDERS)})/`, `^src/(${alternatives(ENTRY_POINTS)})$`],
      },
    },
    {
      name: "module-in-layout",
      comment: `A module of src/ outside the layout's folders (${FOLDERS.join(", ")}) has no row in the matrix`,
      severity: "error",
      from: {
        path: "^src/",
        pathNot: [`^src/(${alternatives(FOLDERS)})/`, `^src/(${alternatives(ENTRY_POINTS)})$`],
      },
      to: {},
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Type-only imports count: they still point the dependency one way.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
    },
  },
};
