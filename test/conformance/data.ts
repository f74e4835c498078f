/**
 * Reads the conformance data served by `global-setup.ts` (see there for why over loopback HTTP):
 * exact bytes, or text, or parsed multi-document YAML. Paths are relative to
 * `../shared/conformance/` (its README.md describes every file).
 */
import { inject } from "vitest";
import { parseAllDocuments } from "yaml";

async function get(relativePath: string): Promise<Response> {
  const { baseUrl, dataDir } = inject("conformanceData");
  const response = await fetch(`${baseUrl}/${relativePath}`);
  if (!response.ok) {
    throw new Error(`conformance data ${relativePath} (from ${dataDir}): ${response.status} ${await response.text()}`);
  }
  return response;
}

/** The file's exact bytes (DKIM and ARC signatures break on one changed byte). */
export async function readBytes(relativePath: string): Promise<Uint8Array> {
  return new Uint8Array(await (await get(relativePath)).arrayBuffer());
}

export async function readText(relativePath: string): Promise<string> {
  return new TextDecoder().decode(await readBytes(relativePath));
}

/**
 * Every non-empty document of a multi-document YAML file (the ARC and OpenSPF suites' format).
 * Duplicate keys are allowed and the last one wins: the ARC validation suite repeats some test names
 * (e.g. `as_fields_b_head_case`), and its reference runners load it with PyYAML, which keeps the last.
 */
export async function readYamlDocuments<T>(relativePath: string): Promise<T[]> {
  const documents = parseAllDocuments(await readText(relativePath), { uniqueKeys: false });
  return documents.flatMap((document) => {
    if (document.errors.length > 0) throw new Error(`${relativePath}: ${document.errors[0]?.message}`);
    const value = document.toJS() as T | null;
    return value ? [value] : [];
  });
}

/** LF line endings to CRLF (RFC 5322 section 2.1), leaving existing CRLFs alone. */
export function toCrlf(text: string): string {
  return text.replace(/\r?\n/g, "\r\n");
}

/** RFC 6376 section 3.6.1 allows whitespace inside tag values such as `p=`; YAML folding adds it. */
export function stripKeyWhitespace(record: string): string {
  return record.replace(/\s+/g, "");
}
