/**
 * Relay configuration, parsed from a RELAY_URL (the `RELAY_URL` secret/var, or a domain's
 * `relay_url` override in D1). One variant per relay kind:
 *
 *   smtp+starttls://user:pass@smtp.example.net:587   SMTP submission, STARTTLS (RFC 3207)
 *   smtps://user:pass@smtp.example.net:465           SMTP submission, implicit TLS (RFC 8314)
 *   smtp://127.0.0.1:2525                            plain SMTP (loopback test sinks only)
 *   cloudflare:                                      the `send_email` binding (SEND_EMAIL)
 *   mailgun://key@example.com[?region=eu|base=http://127.0.0.1:8025]   Mailgun messages.mime
 *   capture:                                         dev capture relay (GET /api/v1/outbox)
 *
 * Port 25 is blocked from Workers (`cloudflare:sockets`), so SMTP relays are submission servers.
 */
export type RelayConfig =
  | {
      kind: "smtp";
      host: string;
      port: number;
      /** "starttls": upgrade after EHLO; "tls": implicit TLS from the first byte; "none": plain. */
      security: "starttls" | "tls" | "none";
      username?: string;
      password?: string;
      /** Name sent in EHLO. */
      heloName: string;
      /** Session reuse limits (`?sessions=&messages=&idle=` in the URL); defaults in smtp/pool.ts. */
      sessions?: { maxSessions?: number; maxMessages?: number; idleMs?: number; maxErrors?: number };
    }
  | { kind: "cloudflare"; allowLists?: boolean }
  | { kind: "mailgun"; apiKey: string; domain: string; baseUrl: string }
  | { kind: "capture" };
