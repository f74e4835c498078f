/**
 * vitest globalSetup: starts the real test servers once per run, in the vitest (Node) process, and
 * hands their addresses to tests running inside workerd through `project.provide` / `inject`:
 *
 *   import { inject } from "vitest";
 *   const sink = inject("smtpSink");       // SmtpSinkInfo (test/servers/provided-context.d.ts)
 *   const mailgun = inject("mailgunMock"); // MailgunMockInfo
 *
 * Ports are ephemeral (listen on port 0), so parallel runs never collide.
 */
import type { TestProject } from "vitest/node";
import { startMailgunMock } from "./mailgun-mock.mjs";
import { startSmtpSink } from "./smtp-sink.mjs";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const sink = await startSmtpSink({ quiet: true });
  const mailgun = await startMailgunMock();
  const { close: closeSink, ...sinkInfo } = sink;
  const { close: closeMailgun, ...mailgunInfo } = mailgun;
  project.provide("smtpSink", sinkInfo);
  project.provide("mailgunMock", mailgunInfo);
  return async () => {
    await Promise.all([closeSink(), closeMailgun()]);
  };
}
