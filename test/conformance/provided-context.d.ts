// Values that test/conformance/global-setup.ts provides to tests (`inject("conformanceData")`).
export interface ConformanceDataInfo {
  /** e.g. http://127.0.0.1:40123; GET {baseUrl}/arc-test-suite/arc-draft-validation-tests.yml */
  baseUrl: string;
  /** Where the server reads from, for error messages. */
  dataDir: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    conformanceData: ConformanceDataInfo;
  }
}
