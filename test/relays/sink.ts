/**
 * Helpers for tests that deliver to the real SMTP sink (test/servers/smtp-sink.mjs): unique
 * addresses, a message builder, a relay per listener, and reads of the sink's control API.
 */
import { inject } from "vitest";
import type { RelayConfig } from "../../src/deliver/relays/config";
import { createSmtpRelay } from "../../src/deliver/relays/smtp";
import type { SmtpTimeouts } from "../../src/deliver/relays/smtp/timeouts";

export const sink = inject("smtpSink");

/** Small timeouts so failure tests finish fast, yet generous for the ~4x slower vitest pool. */
export const TEST_TIMEOUTS: Partial<SmtpTimeouts> = {
  connect: 5000,
  greeting: 5000,
  command: 5000,
  mail: 5000,
  rcpt: 5000,
  dataInit: 5000,
  dataBlock: 5000,
  dataEnd: 5000,
  session: 20_000,
  quit: 2000,
  close: 1000,
};

let counter = 0;
/** An address unique to this test run, with a scenario keyword in front (see smtp-sink.mjs). */
export function address(scenario: string, domain = "example.test"): string {
  counter += 1;
  return `${scenario}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}${counter}@${domain}`;
}

export function message(options: { subject?: string; body?: string; headers?: string[] } = {}): Uint8Array {
  const lines = [
    "From: Sender <sender@facteur.test>",
    "To: list@facteur.test",
    `Subject: ${options.subject ?? "test"}`,
    `Message-ID: <${crypto.randomUUID()}@facteur.test>`,
    "Date: Wed, 25 Nov 2026 09:00:00 +0000",
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    ...(options.headers ?? []),
    "",
    options.body ?? "Hello.",
    "",
  ];
  return new TextEncoder().encode(lines.join("\r\n"));
}

type Listener = "plain" | "starttls" | "tls" | "bare";

export function smtpConfig(
  listener: Listener,
  extra: Partial<Extract<RelayConfig, { kind: "smtp" }>> = {},
): Extract<RelayConfig, { kind: "smtp" }> {
  const port = { plain: sink.plainPort, starttls: sink.starttlsPort, tls: sink.tlsPort, bare: sink.barePort }[listener];
  const security = listener === "tls" ? "tls" : listener === "starttls" ? "starttls" : "none";
  return { kind: "smtp", host: "127.0.0.1", port, security, heloName: "relay.facteur.test", ...extra };
}

export function relayTo(listener: Listener, extra: Partial<Extract<RelayConfig, { kind: "smtp" }>> = {}) {
  return createSmtpRelay(smtpConfig(listener, extra), { timeouts: TEST_TIMEOUTS });
}

/** A front of the sink (a session-counting proxy), as the relay reaches it: plain, with SASL. */
export type Front = keyof typeof sink.front;

export function frontConfig(
  front: Front,
  extra: Partial<Extract<RelayConfig, { kind: "smtp" }>> = {},
): Extract<RelayConfig, { kind: "smtp" }> {
  return {
    kind: "smtp",
    host: "127.0.0.1",
    port: sink.front[front],
    security: "none",
    heloName: "relay.facteur.test",
    username: sink.user,
    password: sink.password,
    ...extra,
  };
}

export interface StoredMessage {
  id: string;
  listener: string;
  secure: boolean;
  authUser: string | null;
  mailFrom: string;
  mailFromArgs: Record<string, string | boolean>;
  rcptTo: string[];
  size: number;
  raw: string;
  rawBase64: string;
}

export async function received(to: string): Promise<StoredMessage[]> {
  const response = await fetch(`${sink.controlUrl}/messages?to=${encodeURIComponent(to)}`);
  const body = (await response.json()) as { messages: StoredMessage[] };
  return body.messages;
}

export async function attempts(to: string): Promise<{ rcpt: number; dropped: number }> {
  const response = await fetch(`${sink.controlUrl}/attempts?to=${encodeURIComponent(to)}`);
  return (await response.json()) as { rcpt: number; dropped: number };
}

export function bytesOf(stored: StoredMessage): Uint8Array {
  return Uint8Array.from(atob(stored.rawBase64), (c) => c.charCodeAt(0));
}
