export interface CloudflareMockInfo {
  /** e.g. http://127.0.0.1:40123/client/v4: the client's baseURL. */
  baseUrl: string;
  /** POST {controlUrl}/reset, GET {controlUrl}/requests, GET {controlUrl}/state. */
  controlUrl: string;
  token: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    cloudflareMock: CloudflareMockInfo;
  }
}
