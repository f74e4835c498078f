import { inject } from "vitest";

export const mock = inject("cloudflareMock");

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: Record<string, unknown>;
}

export async function resetAccount(state: object): Promise<void> {
  const response = await fetch(`${mock.controlUrl}/reset`, { method: "POST", body: JSON.stringify(state) });
  if (!response.ok) throw new Error("mock reset failed");
}

export async function requests(): Promise<LoggedRequest[]> {
  return (await fetch(`${mock.controlUrl}/requests`)).json();
}

export async function accountState(): Promise<Record<string, Record<string, unknown[]>>> {
  return (await fetch(`${mock.controlUrl}/state`)).json();
}

/** The requests that change something, as "METHOD path". */
export const mutations = (log: LoggedRequest[]) => log.filter((r) => r.method !== "GET");

export const syncEnv = { CLOUDFLARE_API_TOKEN: mock.token, CLOUDFLARE_API_BASE_URL: mock.baseUrl };

export const ZONE = { id: "zone-example", name: "example.com", account: { id: "acct-1", name: "Ops" } };
