#!/usr/bin/env node
// `npx facteur …`: the admin API from a terminal. The CLI is TypeScript run by Node's own type
// stripping (Node 22.18+; `npx` and npm scripts put the pinned Node 22 from the `node` package first).
if (!process.features.typescript) {
  console.error(`facteur: needs Node.js 22.18 or newer (this is ${process.version}); run it with npx facteur`);
  process.exit(2);
}
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
