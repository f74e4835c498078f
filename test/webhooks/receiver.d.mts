export const HANG_MS: number;
export function startWebhookReceiver(): Promise<{
  baseUrl: string;
  secret: string;
  hangMs: number;
  close(): Promise<void>;
}>;
