export const CLOUDFLARE_TOKEN: string;
export function startCloudflareMock(): Promise<{
  baseUrl: string;
  controlUrl: string;
  token: string;
  close: () => Promise<void>;
}>;
