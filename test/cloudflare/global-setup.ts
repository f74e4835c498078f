/** vitest globalSetup: the Cloudflare API stand-in (cloudflare-mock.mjs), as inject("cloudflareMock"). */
import type { TestProject } from "vitest/node";
import { startCloudflareMock } from "./cloudflare-mock.mjs";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { close, ...info } = await startCloudflareMock();
  project.provide("cloudflareMock", info);
  return close;
}
