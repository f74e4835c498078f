/**
 * A `fetch` that behaves like an RFC 8484 server in front of a declared zone: it checks the request
 * as a real DoH server would (POST, media types), decodes the query and answers it through
 * `answerFromZone`, the same code `scripts/doh-server.mjs` serves. Tests inject it into
 * `createDohResolver({ fetch })`.
 */

import { decodeMessage } from "../../src/dns/decode-message";
import { DNS_MESSAGE_MEDIA_TYPE } from "../../src/dns/doh";
import type { DnsMessage } from "../../src/dns/wire";
import { compileZone, type Zone } from "../support/dns/zone";
import { answerFromZone, type ZoneServerOptions } from "../support/dns/zone-server";

export type DohStubOptions = ZoneServerOptions & {
  /** Awaited before answering, so a test can hold queries in flight. */
  gate?: () => Promise<void>;
  /** Replaces the response, e.g. to simulate an HTTP error or a corrupt body. */
  override?: (answer: Uint8Array | undefined, query: DnsMessage) => Response | undefined;
};

export type DohStub = {
  fetch: typeof fetch;
  /** Every query received, decoded. */
  queries: DnsMessage[];
  /** Requests refused before decoding (wrong method or media type). */
  refused: number;
};

export function createDohStub(zone: Zone, options: DohStubOptions = {}): DohStub {
  const compiled = compileZone(zone);
  const stub: DohStub = {
    queries: [],
    refused: 0,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      if (request.method !== "POST") {
        stub.refused++;
        return new Response("POST only", { status: 405 });
      }
      if (request.headers.get("content-type") !== DNS_MESSAGE_MEDIA_TYPE) {
        stub.refused++;
        return new Response("unsupported media type", { status: 415 });
      }
      if (request.headers.get("accept") !== DNS_MESSAGE_MEDIA_TYPE) {
        stub.refused++;
        return new Response("not acceptable", { status: 406 });
      }
      const body = new Uint8Array(await request.arrayBuffer());
      const query = decodeMessage(body);
      stub.queries.push(query);
      await options.gate?.();
      const answer = answerFromZone(compiled, body, options);
      const replaced = options.override?.(answer, query);
      if (replaced) return replaced;
      if (!answer) {
        // A declared timeout: never answer, until the client gives up.
        return new Promise<Response>((_, reject) => {
          request.signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
        });
      }
      return new Response(answer, { headers: { "content-type": DNS_MESSAGE_MEDIA_TYPE } });
    },
  };
  return stub;
}
