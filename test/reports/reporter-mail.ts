/**
 * Corpus files as their reporters would send them, signed so that DMARC passes for the
 * reporter's domain in a declared zone: an .eml as it is (its From domain signs it), any other
 * file as the attachment of a report email (RFC 7489 section 7.2.1.1, RFC 8460 section 5.3).
 */
import { dkimSign } from "mailauth/lib/dkim/sign";
import { publish, testKey } from "../helpers/keys";
import type { Zone } from "../support/dns/zone";
import type { Expectation } from "./corpus";

export interface ReporterMail {
  raw: Uint8Array;
  fromDomain: string;
  /** Which report address it goes to. */
  address: "dmarc-reports" | "tls-reports";
}

const latin1 = new TextDecoder("latin1");

function domainOf(text: string | null | undefined): string | null {
  const match = /@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/.exec(text ?? "");
  return match?.[1] ? match[1].toLowerCase() : null;
}

/** Publishes the reporter's DKIM key and a DMARC record (p=none) in the zone. */
export function declareReporter(zone: Zone, domain: string): void {
  publish(zone, testKey(domain));
  zone[`_dmarc.${domain}`] = { TXT: ["v=DMARC1; p=none"] };
}

export async function signAs(raw: Uint8Array, domain: string): Promise<Uint8Array> {
  const key = testKey(domain);
  const result = await dkimSign(Buffer.from(raw), {
    signatureData: [{ signingDomain: domain, selector: key.selector, privateKey: key.privateKeyPem }],
  } as unknown as Parameters<typeof dkimSign>[1]);
  if (result.errors.length) throw new Error(`signing failed: ${JSON.stringify(result.errors)}`);
  const head = new TextEncoder().encode(result.signatures);
  const out = new Uint8Array(head.byteLength + raw.byteLength);
  out.set(head);
  out.set(raw, head.byteLength);
  return out;
}

function base64Lines(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.byteLength; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/.{76}/g, "$&\r\n");
}

function isTls(path: string, expected: Expectation): boolean {
  if (expected.reports?.length) return expected.reports.every((r) => r.kind === "tlsrpt");
  return /\.json(\.gz)?$/.test(path);
}

/** Content-Type a reporter gives the file (RFC 7489 section 7.2.1.1; RFC 8460 section 5.3). */
function attachmentType(path: string, tls: boolean): string {
  if (tls) return path.endsWith(".gz") ? "application/tlsrpt+gzip" : "application/tlsrpt+json";
  if (path.endsWith(".zip")) return "application/zip";
  if (path.endsWith(".gz")) return "application/gzip";
  return "text/xml";
}

export function reporterMail(path: string, bytes: Uint8Array, expected: Expectation, to: string): ReporterMail {
  const tls = isTls(path, expected);
  const address = tls ? "tls-reports" : "dmarc-reports";
  if (path.endsWith(".eml")) {
    const from = /^From:([^\r\n]*)/im.exec(latin1.decode(bytes.subarray(0, 64 * 1024)))?.[1];
    return { raw: bytes, fromDomain: domainOf(from) ?? "reporter.test", address };
  }
  const first = expected.reports?.[0]?.report as Record<string, Record<string, unknown> | unknown> | undefined;
  const contact = tls
    ? (first?.["contact-info"] as string | undefined)
    : ((first?.report_metadata as Record<string, unknown> | undefined)?.email as string | undefined);
  const fromDomain = domainOf(contact) ?? "reporter.test";
  const name = path.slice(path.lastIndexOf("/") + 1).replace(/^[^_]+__/, "");
  const boundary = `report-${crypto.randomUUID()}`;
  const top = tls
    ? `multipart/report; report-type=tlsrpt; boundary="${boundary}"`
    : `multipart/mixed; boundary="${boundary}"`;
  const text = [
    `From: Reports <noreply-reports@${fromDomain}>`,
    `To: ${to}`,
    `Subject: Report Domain: ${to.slice(to.indexOf("@") + 1)} Submitter: ${fromDomain} Report-ID: ${name}`,
    "Date: Wed, 25 Nov 2026 09:00:00 +0000",
    `Message-ID: <${crypto.randomUUID()}@${fromDomain}>`,
    "MIME-Version: 1.0",
    ...(tls ? [`TLS-Report-Domain: ${to.slice(to.indexOf("@") + 1)}`, `TLS-Report-Submitter: ${fromDomain}`] : []),
    `Content-Type: ${top}`,
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=us-ascii",
    "",
    "This is an aggregate report.",
    `--${boundary}`,
    `Content-Type: ${attachmentType(path, tls)}; name="${name}"`,
    `Content-Disposition: attachment; filename="${name}"`,
    "Content-Transfer-Encoding: base64",
    "",
    base64Lines(bytes),
    `--${boundary}--`,
    "",
  ].join("\r\n");
  return { raw: new TextEncoder().encode(text), fromDomain, address };
}
