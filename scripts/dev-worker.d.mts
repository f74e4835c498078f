export function freePort(): Promise<number>;
export function startDevWorker(options?: { adminToken?: string; vars?: Record<string, string> }): Promise<{
  url: string;
  adminToken: string;
  persistDir: string;
  stop: () => Promise<void>;
}>;
