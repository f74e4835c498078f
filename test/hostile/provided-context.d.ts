// Value that test/hostile/global-setup.ts provides to tests (`inject("mimeCorpus")` from "vitest").
export interface MimeCorpusInfo {
  /** GET {baseUrl}/{file} returns the file's exact bytes. */
  baseUrl: string;
  /** Paths relative to the corpus root, licence files excluded, sorted. */
  files: string[];
  /** Where the corpus was read from (for error messages). */
  dataDir: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    mimeCorpus: MimeCorpusInfo;
  }
}
