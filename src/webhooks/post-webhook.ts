/**
 * One POST to a webhook and what its answer means (Standard Webhooks, "Delivery behaviour"):
 * 2xx is delivered; 410 Gone means the endpoint is gone for good and the webhook is disabled;
 * anything else (another status, a timeout, a refused connection) is retried with backoff until
 * the give-up horizon.
 */
import type { SignedHeaders } from "./sign";

/** A receiver that has not answered within this is treated as down (the spec suggests 15 s). */
export const WEBHOOK_TIMEOUT_MS = 15_000;

export interface PostResult {
  status: number | null;
  error: string | null;
  durationMs: number;
  verdict: "delivered" | "gone" | "retry";
}

export async function postWebhook(
  url: string,
  body: string,
  signed: SignedHeaders,
  options: { timeoutMs: number; now: () => number },
): Promise<PostResult> {
  const started = options.now();
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Facteur-Webhooks/1", ...signed },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    // Only the status matters; the body is discarded unread (cancel frees the connection).
    await response.body?.cancel();
    const durationMs = options.now() - started;
    const verdict =
      response.status >= 200 && response.status < 300 ? "delivered" : response.status === 410 ? "gone" : "retry";
    return {
      status: response.status,
      error: verdict === "retry" ? `HTTP ${response.status}` : null,
      durationMs,
      verdict,
    };
  } catch (error) {
    const name = (error as Error)?.name;
    const message =
      name === "TimeoutError" || name === "AbortError"
        ? `no answer within ${options.timeoutMs} ms`
        : String((error as Error)?.message ?? error);
    return { status: null, error: message.slice(0, 300), durationMs: options.now() - started, verdict: "retry" };
  }
}
