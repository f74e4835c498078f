/**
 * The Email Sending events consumer (queue `facteur-sending-events`): each event updates its
 * delivery row, and a hard bounce or complaint suppresses the address and scores a list member
 * (sending-events/). Cloudflare writes these messages, so one that does not read as an event is
 * logged and retried into the dead-letter queue rather than dropped (keepMalformed); an unknown
 * schema version waits there too, for a deployment that reads it.
 */
import { applySendingEvent } from "../sending-events/apply";
import { parseSendingEvent, type SendingEvent } from "../sending-events/event";
import type { Consumer } from "./batch-runner";
import type { QueueDeps } from "./queue-deps";

export function sendingEventsConsumer(env: Env, deps: QueueDeps): Consumer<SendingEvent> {
  const now = deps.now ?? Date.now;
  return {
    unit: "sending-events",
    keepMalformed: true,
    decode: parseSendingEvent,
    // Queues' default delay: a D1 hiccup clears quickly, and events are not urgent.
    backoff: () => undefined,
    async handle(event) {
      await applySendingEvent(env, event, now());
      return "done";
    },
  };
}
