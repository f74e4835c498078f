/**
 * Benchmark fixtures, generated fresh for every run (no private key is committed): two RSA-2048
 * keys, a declared DNS zone, and messages of 2 KB, 20 KB, 200 KB, 2 MB and 25 MB shaped like real
 * forwarded mail:
 *   author (sender.bench, p=reject) DKIM-signs → forwarder (forwarder.bench) ARC-seals (i=1) →
 *   Cloudflare's MX writes the top Received header with the forwarder's IP.
 * So every message costs the receiver what real forwarded mail costs: one DKIM signature, an ARC set
 * (AMS + AS), SPF for the forwarder's MAIL FROM, and DMARC for the author's domain.
 */
import { generateKeyPairSync } from "node:crypto";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { dkimSign } = require("mailauth/lib/dkim/sign");
const { sealMessage } = require("mailauth/lib/arc");

export const AUTHOR_DOMAIN = "sender.bench";
export const FORWARDER_DOMAIN = "forwarder.bench";
export const CLIENT_IP = "192.0.2.10";
export const HELO = "mx.forwarder.bench";
export const MAIL_FROM = `bounce@${FORWARDER_DOMAIN}`;
export const RCPT_DOMAIN = "facteur.bench";
export const RCPT = `inbox@${RCPT_DOMAIN}`;
export const DESTINATION = "owner@gmail.com";
export const AUTHSERV_ID = "mx.facteur.bench";

/** Target sizes in bytes (decimal units); 25 MB stays under the 25 MiB cap. */
export const SIZES = [
  ["2 KB", 2_000],
  ["20 KB", 20_000],
  ["200 KB", 200_000],
  ["2 MB", 2_000_000],
  ["25 MB", 25_000_000],
];

function key(domain, selector) {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    domain,
    selector,
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }),
    record: `v=DKIM1; k=rsa; p=${publicKey.export({ type: "spki", format: "der" }).toString("base64")}`,
  };
}

/** A zone in the shape of createZoneResolver (test/support/dns/zone.ts). */
function zoneFor(author, forwarder) {
  return {
    [`${author.selector}._domainkey.${author.domain}`]: { TXT: [author.record] },
    [`${forwarder.selector}._domainkey.${forwarder.domain}`]: { TXT: [forwarder.record] },
    [`_dmarc.${AUTHOR_DOMAIN}`]: { TXT: ["v=DMARC1; p=reject; rua=mailto:dmarc@sender.bench"] },
    [`_dmarc.${FORWARDER_DOMAIN}`]: { TXT: ["v=DMARC1; p=none"] },
    [AUTHOR_DOMAIN]: { TXT: ["v=spf1 ip4:198.51.100.0/24 -all"], MX: [[10, `mx.${AUTHOR_DOMAIN}`]] },
    [FORWARDER_DOMAIN]: { TXT: [`v=spf1 ip4:${CLIENT_IP} -all`], MX: [[10, HELO]] },
    [HELO]: { A: [CLIENT_IP] },
  };
}

const LOREM =
  "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. ";

/**
 * An unsigned message of about `size` bytes: text, HTML, and a base64 attachment filling the rest.
 * The smallest case is a short text/plain note: two RSA-2048 signatures and the trace headers
 * alone take about 2.6 KB, so it lands near 3 KB (the table reports the real size).
 */
function plainMessage(size, n) {
  if (size < 5000) {
    return [
      `From: Alice Author <alice@${AUTHOR_DOMAIN}>`,
      `To: Inbox <${RCPT}>`,
      `Subject: Benchmark note ${n}`,
      "Date: Wed, 25 Nov 2026 09:00:00 +0000",
      `Message-ID: <bench-${n}-${size}@${AUTHOR_DOMAIN}>`,
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "",
      `${LOREM}\r\n`,
    ].join("\r\n");
  }
  const text = `${LOREM.repeat(6)}\r\n`;
  const html = `<html><body><p>${LOREM.repeat(6)}</p></body></html>\r\n`;
  const head = [
    `From: Alice Author <alice@${AUTHOR_DOMAIN}>`,
    `To: Inbox <${RCPT}>`,
    `Subject: Benchmark message ${n} with a realistic subject line`,
    "Date: Wed, 25 Nov 2026 09:00:00 +0000",
    `Message-ID: <bench-${n}-${size}@${AUTHOR_DOMAIN}>`,
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="=_outer"',
  ].join("\r\n");
  let body =
    '--=_outer\r\nContent-Type: multipart/alternative; boundary="=_alt"\r\n\r\n' +
    `--=_alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}` +
    `--=_alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}--=_alt--\r\n`;
  // The signatures and trace headers added below take about 2.4 KB.
  const room = size - head.length - body.length - 2600;
  if (room > 200) {
    const attachmentHead =
      '--=_outer\r\nContent-Type: application/pdf; name="report.pdf"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="report.pdf"\r\n\r\n';
    const lines = Math.max(1, Math.floor((room - attachmentHead.length) / 78));
    const line = "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFIvRmlsdGVyIC9GbGF0ZURlY29k\r\n";
    body += attachmentHead + line.repeat(lines);
  }
  body += "--=_outer--\r\n";
  return `${head}\r\n\r\n${body}`;
}

async function signAndSeal(message, author, forwarder) {
  const signed = await dkimSign(message, {
    canonicalization: "relaxed/relaxed",
    signatureData: [{ signingDomain: author.domain, selector: author.selector, privateKey: author.privateKey }],
  });
  if (signed.errors.length) throw new Error(`DKIM signing failed: ${JSON.stringify(signed.errors)}`);
  const withDkim = signed.signatures + message;
  const received = `Received: from mail.${AUTHOR_DOMAIN} (mail.${AUTHOR_DOMAIN} [198.51.100.7]) by ${HELO} with ESMTPS id b1; Wed, 25 Nov 2026 09:00:01 +0000\r\n`;
  const forwarded = received + withDkim;
  const seal = await sealMessage(Buffer.from(forwarded), {
    signingDomain: forwarder.domain,
    selector: forwarder.selector,
    privateKey: forwarder.privateKey,
    authResults: `${HELO}; dkim=pass header.d=${AUTHOR_DOMAIN} header.s=${author.selector}; spf=pass smtp.mailfrom=${AUTHOR_DOMAIN}; dmarc=pass header.from=${AUTHOR_DOMAIN}`,
    cv: "none",
  });
  const top = `Received: from ${HELO} (${HELO} [${CLIENT_IP}]) by mx1.mx.cloudflare.net with ESMTPS id cf1; Wed, 25 Nov 2026 09:00:02 +0000\r\n`;
  return top + seal.toString() + forwarded;
}

export async function createFixtures({ sizes = SIZES } = {}) {
  const author = key(AUTHOR_DOMAIN, "s2026");
  const forwarder = key(FORWARDER_DOMAIN, "arc1");
  const zone = zoneFor(author, forwarder);
  const messages = [];
  for (const [label, size] of sizes) {
    const raw = Buffer.from(await signAndSeal(plainMessage(size, messages.length), author, forwarder));
    messages.push({ label, target: size, raw });
  }
  return { zone, messages, author, forwarder };
}
