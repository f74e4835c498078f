/**
 * vitest globalSetup: a private Postfix instance (test/servers/postfix.mjs) as a real relay, given
 * to tests as `inject("postfix")`. It installs Postfix and Dovecot first when they are missing
 * (scripts/system-deps.sh). Where Postfix truly cannot run (not root, no package mirror), tests
 * get `{ unavailable: reason }` and skip with a loud message naming the reason.
 */
import type { TestProject } from "vitest/node";
import { postfixUnavailable, startPostfix } from "./postfix.mjs";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reason = postfixUnavailable();
  if (reason) {
    console.warn(`\n!!! Postfix relay tests SKIPPED: ${reason} !!!\n`);
    project.provide("postfix", { unavailable: reason });
    return async () => {};
  }
  const postfix = await startPostfix();
  const { close, ...info } = postfix;
  project.provide("postfix", info);
  return close;
}
