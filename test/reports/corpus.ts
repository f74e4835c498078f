/**
 * The DMARC / TLS report corpus (../shared/conformance/dmarc-reports/, its README says how each
 * expectation was made): the list of inputs from MANIFEST.tsv, and each input with its expectation.
 */
import { readBytes, readText } from "../conformance/data";

export const CORPUS = "dmarc-reports";

export interface Expectation {
  file: string;
  expect: "parsed" | "parsed or rejected" | "rejected" | "rejected or recovered" | "rejected or bounded";
  kind?: string | string[];
  why?: string;
  reports?: { container: string[]; member: string | null; kind: string; report: Record<string, unknown> }[];
  email?: { from: string | null; subject: string | null };
  if_accepted?: Record<string, unknown>;
}

export interface CorpusFile {
  path: string;
  kind: string;
  format: string;
}

/**
 * Every report input the manifest lists (licences and tools left out) that the folder holds: the
 * manifest names one hostile variant (`hostile-100k-records.zip`) that was never generated.
 */
export async function corpusFiles(): Promise<CorpusFile[]> {
  const lines = (await readText(`${CORPUS}/MANIFEST.tsv`)).split("\n").filter((l) => l.trim() !== "");
  const header = (lines.shift() ?? "").split("\t");
  const column = (name: string) => header.indexOf(name);
  const listed = lines
    .map((line) => line.split("\t"))
    .map((cells) => ({
      path: cells[column("local_path")] ?? "",
      kind: cells[column("kind")] ?? "",
      format: cells[column("format")] ?? "",
    }))
    .filter((f) => f.kind !== "licence" && !f.path.startsWith("tools/"));
  const present = await Promise.all(listed.map((f) => corpusEntry(f.path).then((e) => e !== null)));
  return listed.filter((_, i) => present[i]);
}

/** The input's bytes and expectation, or null when the manifest names a file the folder lacks. */
export async function corpusEntry(path: string): Promise<{ bytes: Uint8Array; expected: Expectation } | null> {
  try {
    const expected = JSON.parse(await readText(`${CORPUS}/${path}.expected.json`)) as Expectation;
    return { bytes: await readBytes(`${CORPUS}/${path}`), expected };
  } catch (error) {
    if (String(error).includes(": 404 ")) return null;
    throw error;
  }
}
