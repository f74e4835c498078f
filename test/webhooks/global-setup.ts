/**
 * vitest globalSetup: the webhook receiver (receiver.mjs) on 127.0.0.1, given to tests running in
 * workerd as `inject("webhookReceiver")`.
 */
import type { TestProject } from "vitest/node";
import { startWebhookReceiver } from "./receiver.mjs";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { close, ...info } = await startWebhookReceiver();
  project.provide("webhookReceiver", info);
  return close;
}
