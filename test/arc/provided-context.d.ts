// What test/arc/global-setup.ts provides (`inject("arcVerifier")` from "vitest").
declare module "vitest" {
  export interface ProvidedContext {
    arcVerifier: { url: string };
  }
}

export {};
