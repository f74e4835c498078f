// RELAY_URL parsing: every accepted form, and a clear RelayConfigError for each kind of mistake.
import { describe, expect, it } from "vitest";
import type { RelayConfig } from "../../src/deliver/relays/config";
import { parseRelayUrl, RelayConfigError } from "../../src/deliver/relays/relay-url";

const good: [string, RelayConfig][] = [
  [
    "smtp+starttls://user:pass@smtp.example.net:587",
    {
      kind: "smtp",
      host: "smtp.example.net",
      port: 587,
      security: "starttls",
      heloName: "mx.facteur.test",
      username: "user",
      password: "pass",
    },
  ],
  [
    "smtp+starttls://smtp.example.net",
    { kind: "smtp", host: "smtp.example.net", port: 587, security: "starttls", heloName: "mx.facteur.test" },
  ],
  [
    "smtps://u%40x.test:p%3Ass%20word@SMTP.Example.NET",
    {
      kind: "smtp",
      host: "smtp.example.net",
      port: 465,
      security: "tls",
      heloName: "mx.facteur.test",
      username: "u@x.test",
      password: "p:ss word",
    },
  ],
  [
    "smtps://smtp.example.net:2465?helo=out.example.org",
    { kind: "smtp", host: "smtp.example.net", port: 2465, security: "tls", heloName: "out.example.org" },
  ],
  [
    "smtp://127.0.0.1:2525",
    { kind: "smtp", host: "127.0.0.1", port: 2525, security: "none", heloName: "mx.facteur.test" },
  ],
  [
    "smtp://localhost:2525",
    { kind: "smtp", host: "localhost", port: 2525, security: "none", heloName: "mx.facteur.test" },
  ],
  ["smtp://[::1]:2525", { kind: "smtp", host: "::1", port: 2525, security: "none", heloName: "mx.facteur.test" }],
  [
    "smtps://smtp.example.net?sessions=2&messages=50&idle=30&errors=5",
    {
      kind: "smtp",
      host: "smtp.example.net",
      port: 465,
      security: "tls",
      heloName: "mx.facteur.test",
      sessions: { maxSessions: 2, maxMessages: 50, idleMs: 30_000, maxErrors: 5 },
    },
  ],
  ["cloudflare:", { kind: "cloudflare" }],
  ["capture:", { kind: "capture" }],
  ["  capture:  ", { kind: "capture" }],
  [
    "mailgun://key-abc123@mg.example.com",
    { kind: "mailgun", apiKey: "key-abc123", domain: "mg.example.com", baseUrl: "https://api.mailgun.net" },
  ],
  [
    "mailgun://key-abc123@mg.example.com?region=eu",
    { kind: "mailgun", apiKey: "key-abc123", domain: "mg.example.com", baseUrl: "https://api.eu.mailgun.net" },
  ],
  [
    "mailgun://key-abc123@mg.example.com?region=us",
    { kind: "mailgun", apiKey: "key-abc123", domain: "mg.example.com", baseUrl: "https://api.mailgun.net" },
  ],
  [
    "mailgun://k@mg.example.com?base=http%3A%2F%2F127.0.0.1%3A8025%2F",
    { kind: "mailgun", apiKey: "k", domain: "mg.example.com", baseUrl: "http://127.0.0.1:8025" },
  ],
];

const bad: [string, RegExp][] = [
  ["", /empty/],
  ["not a url", /not a URL/],
  ["http://smtp.example.net", /unsupported scheme "http:"/],
  ["smtp+starttls://user:pass@smtp.example.net:25", /port 25 is blocked .*cloudflare:sockets.*587.*465/],
  ["smtps://smtp.example.net:25", /port 25 is blocked/],
  ["smtp://smtp.example.net:2525", /only for a loopback test sink.*smtp\+starttls:\/\/smtp\.example\.net:587/],
  ["smtp://127.0.0.1", /needs an explicit port/],
  ["smtp+starttls://user@smtp.example.net", /user name but no password/],
  ["smtp+starttls://:secret@smtp.example.net", /password but no user name/],
  ["smtp+starttls://smtp.example.net/path", /takes no path/],
  ["smtps://smtp.example.net?sessions=7", /sessions= must be a whole number from 1 to 6/],
  ["smtps://smtp.example.net?idle=0", /idle= must be a whole number/],
  ["smtp+starttls://smtp.example.net?tls=yes", /unknown parameter "tls"/],
  ["smtp+starttls://smtp.example.net:70000", /not a URL/],
  ["smtp+starttls://smtp.example.net?helo=bad%20name", /helo name/],
  ["mailgun://mg.example.com", /needs an API key/],
  ["mailgun://key@mg.example.com?region=ap", /region must be "us" or "eu"/],
  ["mailgun://key@mg.example.com?region=eu&base=http://x", /either \?region= or \?base=/],
  ["mailgun://key@mg.example.com?base=ftp://x", /http\(s\) URL/],
  ["mailgun://key:secret@mg.example.com", /user part only/],
  ["mailgun://key@mg.example.com?domain=x", /unknown parameter "domain"/],
  ["cloudflare://x", /takes nothing after the colon/],
  ["capture:outbox", /takes nothing after the colon/],
];

describe("parseRelayUrl", () => {
  it.each(good)("accepts %s", (url, expected) => {
    expect(parseRelayUrl(url, { heloName: "mx.facteur.test" })).toEqual(expected);
  });

  it.each(bad)("refuses %s", (url, message) => {
    let caught: unknown;
    try {
      parseRelayUrl(url);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RelayConfigError);
    expect((caught as Error).message).toMatch(/^RELAY_URL: /);
    expect((caught as Error).message).toMatch(message);
  });

  it("never repeats credentials in an error", () => {
    expect(() => parseRelayUrl("smtp+starttls://user:hunter2@smtp.example.net:25")).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("hunter2") }),
    );
    expect(() => parseRelayUrl("smtp://user:hunter2@smtp.example.net:2525")).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("hunter2") }),
    );
  });

  it("defaults the EHLO name to localhost when none is given", () => {
    expect(parseRelayUrl("smtps://smtp.example.net")).toMatchObject({ heloName: "localhost" });
  });
});
