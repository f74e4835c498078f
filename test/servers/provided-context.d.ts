// Values that test/servers/global-setup.ts provides to tests (`inject("smtpSink")` from "vitest").
export interface SmtpSinkInfo {
  host: string;
  /** Plain SMTP, AUTH PLAIN/LOGIN allowed in clear (loopback), SIZE 10 MiB, 8BITMIME, SMTPUTF8. */
  plainPort: number;
  /** Same as plain, plus STARTTLS with the test certificate. */
  starttlsPort: number;
  /** Implicit TLS from the first byte. */
  tlsPort: number;
  /** Plain, no 8BITMIME, no SMTPUTF8, SIZE 65536, AUTH LOGIN only. */
  barePort: number;
  /** Implicit TLS with a self-signed certificate nobody trusts (verification must fail). */
  untrustedPort: number;
  /** Recording fronts before `plain` (smtp-front.mjs): sessions and command groups at GET /sessions?to=. */
  front: {
    pipelining: number;
    lockstep: number;
    chunking: number;
    tired: number;
    chunkingTired: number;
    chunkingDrop: number;
  };
  /** Control API: GET/DELETE /messages, GET /attempts?to=, GET /health (see smtp-sink.mjs). */
  controlUrl: string;
  user: string;
  password: string;
  /** Test-only CA that signed the sink's certificate (SAN localhost, 127.0.0.1). */
  caFile: string;
}

export interface MailgunMockInfo {
  /** e.g. http://127.0.0.1:40123; the control API is {baseUrl}/_control/messages. */
  baseUrl: string;
  apiKey: string;
  domain: string;
}

/** The private Postfix relay (test/servers/postfix.mjs). */
export interface PostfixInfo {
  host: string;
  /** STARTTLS required before AUTH (test CA), SASL through Dovecot. */
  submissionPort: number;
  /** Plain, AUTH in clear, smtpd_recipient_limit 3, hard error limit 3, "reject*" → 550; recorded. */
  plainPort: number;
  /** As plain, without CHUNKING in EHLO (not recorded). */
  nochunkingPort: number;
  user: string;
  password: string;
  /** GET /maillog (text), GET /reads (the recording front's connections). */
  controlUrl: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    postfix: PostfixInfo | { unavailable: string };
    smtpSink: SmtpSinkInfo;
    mailgunMock: MailgunMockInfo;
  }
}
