// What test/webhooks/global-setup.ts provides (`inject("webhookReceiver")` from "vitest").
export interface WebhookReceiverInfo {
  /** e.g. http://127.0.0.1:40123; POST {baseUrl}/hook/<key>/<script>, GET {baseUrl}/_control/requests?key=. */
  baseUrl: string;
  /** The secret the receiver verifies signatures with (whsec_…). */
  secret: string;
  /** How long a "hang" answer waits. */
  hangMs: number;
}

declare module "vitest" {
  export interface ProvidedContext {
    webhookReceiver: WebhookReceiverInfo;
  }
}
