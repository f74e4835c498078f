/**
 * Every file of the report corpus through src/reports/: a file that must parse gives exactly the
 * expected reports (containers, member names, every field); a file that must be rejected is; a
 * hostile file is rejected or bounded inside HOSTILE_TIME_BOUND_MS.
 */
import { afterAll, describe, expect, it } from "vitest";
import { parseReports } from "../../src/reports/parse";
import { ReportRejected } from "../../src/reports/rejected";
import { corpusEntry, corpusFiles } from "./corpus";

/** The vitest workers pool inflates timings about 4× (DESIGN.md); 2 s there is about 0.5 s in production. */
const HOSTILE_TIME_BOUND_MS = 2_000;

const files = await corpusFiles();
const figures = { parsed: 0, rejected: 0, records: 0, messages: 0, hostile: [] as string[] };

afterAll(() => {
  console.log(`report corpus: ${JSON.stringify(figures)}`);
});

function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

describe("report corpus", () => {
  it("lists every input of the corpus", () => {
    expect(files.length).toBeGreaterThanOrEqual(104);
  });

  it.each(files.filter((f) => f.kind !== "hostile").map((f) => [f.path]))("%s", async (path) => {
    const entry = await corpusEntry(path);
    if (!entry) throw new Error(`${path} vanished`);
    const { bytes, expected } = entry;
    if (expected.expect === "parsed" || expected.expect === "parsed or rejected") {
      const found = await parseReports(bytes, path.slice(path.indexOf("/") + 1));
      expect(plain(found)).toEqual(expected.reports);
      figures.parsed++;
      for (const report of found) {
        if (report.kind !== "aggregate") continue;
        figures.records += report.report.records.length;
        figures.messages += report.report.summary.message_count;
      }
    } else {
      const outcome = await parseReports(bytes, path).then(
        (r) => r,
        (e: unknown) => e,
      );
      expect(outcome, `${path} should be rejected (${expected.why})`).toBeInstanceOf(ReportRejected);
      figures.rejected++;
    }
  });

  it.each(files.filter((f) => f.kind === "hostile").map((f) => [f.path]))("hostile %s", async (path) => {
    const entry = await corpusEntry(path);
    if (!entry) throw new Error(`${path} vanished`);
    const started = performance.now();
    const outcome = await parseReports(entry.bytes, path).then(
      (r) => r,
      (e: unknown) => e,
    );
    const elapsed = performance.now() - started;
    figures.hostile.push(
      `${path}: ${outcome instanceof ReportRejected ? outcome.why : "parsed"} in ${elapsed.toFixed(0)} ms`,
    );
    expect(outcome).toBeInstanceOf(ReportRejected);
    expect(elapsed).toBeLessThan(HOSTILE_TIME_BOUND_MS);
  });
});
