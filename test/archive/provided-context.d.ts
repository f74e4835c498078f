// Values that test/archive/global-setup.ts provides to tests (`inject("mboxReader")`).
declare module "vitest" {
  export interface ProvidedContext {
    mboxReader: { url: string };
  }
}

export {};
