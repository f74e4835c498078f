// Values that test/dns/global-setup.ts provides to tests (`inject("dohServer")`).
export interface DohServerInfo {
  /** e.g. http://127.0.0.1:40123/dns-query, served by scripts/doh-server.mjs. */
  url: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    dohServer: DohServerInfo;
  }
}
