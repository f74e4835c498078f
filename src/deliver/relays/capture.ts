/**
 * The dev capture relay (`capture:`), the default for `npm start`: it sends nothing, stores what
 * would have been sent (envelope and exact bytes) and accepts every recipient, so the whole
 * delivery path (queue, state, DSN) runs locally and `GET /api/v1/outbox` shows the result.
 */
import { insertOutbox } from "../../store/outbox";
import type { Envelope, RecipientOutcome, Relay } from "../relay";

export function createCaptureRelay(env: Pick<Env, "DB" | "MAIL">): Relay {
  return {
    name: "capture",
    // No real limit; the same batch size as the other relays keeps captured envelopes realistic.
    maxRecipients: 50,
    async send(envelope: Envelope, raw: Uint8Array): Promise<RecipientOutcome[]> {
      const entry = await insertOutbox(env, envelope, raw);
      return envelope.rcptTo.map((rcpt) => ({
        rcpt,
        status: "sent" as const,
        reply: `250 2.0.0 Ok: captured as ${entry.id}`,
      }));
    },
  };
}
