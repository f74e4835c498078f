/**
 * POST /api/v1/send: the seed's submission pipe over HTTP. Reads the message (JSON or raw),
 * checks the user owns From, takes one from the user's rate allowance, DKIM-signs with the From
 * domain's key, logs it and hands it to the outbound relay through the delivery queue.
 */
import type { RouteHandler, z } from "@hono/zod-openapi";
import { newId } from "../../core/ids";
import { log } from "../../core/log";
import { loadSigningKey } from "../../credentials/dkim-keys";
import { sendRatePerHour, takeSendAllowance } from "../../credentials/send-rate";
import { enqueueDelivery } from "../../deliver/enqueue";
import { domainOf } from "../../mail/address";
import { findBareCrOrNul } from "../../mail/header-section";
import { findDomainByName } from "../../store/domains";
import { insertMessageLog } from "../../store/messages";
import { userOwnsAddress } from "../../store/sender-addresses";
import { findSuppressedAddresses } from "../../store/suppressions";
import { forbidden } from "../access";
import type { ApiEnv } from "../env";
import { ApiProblem, invalid } from "../problem";
import { composeMessage } from "./compose";
import { MAX_SUBMISSION_BYTES, MAX_SUBMISSION_RECIPIENTS } from "./limits";
import { readRawSubmission } from "./raw-message";
import type { SendJson, sendMessage } from "./routes";
import { signSubmission } from "./sign";

interface Submission {
  from: string;
  recipients: string[];
  bytes: Uint8Array;
  messageId: string;
  subject: string | null;
}

function unprocessable(field: string, detail: string): ApiProblem {
  return new ApiProblem(422, "unprocessable", `${field}: ${detail}`, { errors: [{ field, detail, in: "body" }] });
}

async function readSubmission(
  c: Parameters<RouteHandler<typeof sendMessage, ApiEnv>>[0],
  now: Date,
): Promise<Submission> {
  const contentType = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (contentType === "message/rfc822") {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length > MAX_SUBMISSION_BYTES) {
      throw new ApiProblem(413, "payload-too-large", `the message exceeds ${MAX_SUBMISSION_BYTES} bytes`);
    }
    // Checked before anything reads the message: the parser splits lines on LF, the relay turns a
    // bare CR into a line break, so a From hidden behind a bare CR would pass the ownership check
    // unseen and be the only From on the wire. The bytes checked must be the bytes signed and sent.
    const bad = findBareCrOrNul(bytes);
    if (bad >= 0) {
      throw unprocessable("(body)", `bare CR or NUL at byte ${bad}: lines must end in CRLF (RFC 5322 section 2.3)`);
    }
    let domainForId = "facteur.invalid";
    const raw = readRawSubmission(bytes, () => `<${newId(now.getTime())}@${domainForId}>`, now);
    if (!raw) throw unprocessable("(body)", "not an RFC 5322 message: no header section, or one too large");
    if (!raw.from) throw unprocessable("From", raw.fromProblem ?? "missing");
    domainForId = domainOf(raw.from);
    // Re-read with the From domain in any generated Message-ID (RFC 5322 section 3.6.4 id-right).
    const final = readRawSubmission(bytes, () => `<${newId(now.getTime())}@${domainForId}>`, now) ?? raw;
    if (raw.invalidRecipients.length)
      throw unprocessable("To", `not valid addresses: ${raw.invalidRecipients.slice(0, 5).join(", ")}`);
    return {
      from: raw.from,
      recipients: final.recipients,
      bytes: final.bytes,
      messageId: final.messageId,
      subject: null,
    };
  }
  // With no JSON content type the validator hands over {} (the body is optional for raw mail).
  const body = c.req.valid("json") as Partial<z.output<typeof SendJson>>;
  if (typeof body.from !== "string") {
    throw invalid("from", "required (send application/json, or a raw message as message/rfc822)");
  }
  const input = body as z.output<typeof SendJson>;
  if (input.text === undefined && input.html === undefined) throw invalid("text", "give text, html, or both");
  const messageId = `<${newId(now.getTime())}@${domainOf(input.from)}>`;
  const bytes = new TextEncoder().encode(composeMessage(input, messageId, now));
  if (bytes.length > MAX_SUBMISSION_BYTES) {
    throw new ApiProblem(413, "payload-too-large", `the composed message exceeds ${MAX_SUBMISSION_BYTES} bytes`);
  }
  return {
    from: input.from,
    recipients: [...input.to, ...input.cc, ...input.bcc],
    bytes,
    messageId,
    subject: input.subject,
  };
}

/** Distinct recipients, case-insensitively (the relay would send twice otherwise). */
function distinct(addresses: string[]): string[] {
  const seen = new Map<string, string>();
  for (const a of addresses) if (!seen.has(a.toLowerCase())) seen.set(a.toLowerCase(), a);
  return [...seen.values()];
}

export const sendMessageHandler: RouteHandler<typeof sendMessage, ApiEnv> = async (c) => {
  const userName = c.get("access").userName;
  if (!userName) throw forbidden("sending needs a user identity");
  const now = new Date();
  const submission = await readSubmission(c, now);
  const recipients = distinct(submission.recipients);
  if (recipients.length === 0) throw unprocessable("to", "the message has no recipients");
  if (recipients.length > MAX_SUBMISSION_RECIPIENTS) {
    throw unprocessable("to", `at most ${MAX_SUBMISSION_RECIPIENTS} recipients per message (got ${recipients.length})`);
  }
  if (!(await userOwnsAddress(c.env.DB, userName, submission.from))) {
    throw forbidden(`${userName} does not own ${submission.from}; you may send only as your own aliases`);
  }
  const domain = domainOf(submission.from);
  const served = await findDomainByName(c.env.DB, domain);
  if (served?.enabled !== true) throw new ApiProblem(409, "conflict", `domain ${domain} is disabled`);
  const key = await loadSigningKey(c.env, domain);
  if (!key) {
    throw new ApiProblem(
      409,
      "conflict",
      `domain ${domain} has no DKIM key; create one with POST /api/v1/domains/${domain}/dkim`,
    );
  }
  const wait = await takeSendAllowance(c.env.DB, userName, sendRatePerHour(c.env), now.getTime());
  if (wait !== null) {
    throw new ApiProblem(429, "rate-limited", `${userName} reached the hourly sending limit; retry in ${wait} s`, {
      headers: { "Retry-After": String(wait) },
    });
  }
  const suppressed = await findSuppressedAddresses(c.env.DB, recipients);
  const deliverTo = recipients.filter((r) => !suppressed.has(r.toLowerCase()));
  const signed = await signSubmission(submission.bytes, domain, key, now);
  const messageLogId = newId(now.getTime());
  await insertMessageLog(c.env.DB, {
    id: messageLogId,
    receivedAt: now.getTime(),
    mailFrom: submission.from,
    rcptTo: deliverTo.join(", "),
    domain,
    messageId: submission.messageId,
    subject: submission.subject,
    fromHeader: submission.from,
    size: signed.byteLength,
    auth: null,
    decision: "relayed",
    rule: "submission",
    smtpReply: null,
    reason: `submitted by ${userName}`,
    destinations: deliverTo,
  }).run();
  let deliveries: { id: string; rcpt: string }[] = [];
  if (deliverTo.length > 0) {
    const { deliveryIds } = await enqueueDelivery(c.env, {
      origin: "submission",
      messageLogId,
      raw: signed,
      // The sender's own address: a bounce comes back to it, and it is theirs (checked above).
      mailFrom: submission.from,
      recipients: deliverTo,
      domain,
      senderAuthenticated: true,
    });
    deliveries = deliverTo.map((rcpt, i) => ({ id: deliveryIds[i] ?? "", rcpt }));
  }
  log({
    stage: "api",
    unit: "send",
    outcome: "queued",
    messageId: messageLogId,
    user: userName,
    recipients: deliverTo.length,
  });
  return c.json(
    { message_id: submission.messageId, message: messageLogId, deliveries, suppressed: [...suppressed] },
    202,
  );
};
